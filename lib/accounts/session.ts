import { createHmac } from "node:crypto";
import type { Config } from "@/lib/config";
import type { AppContext } from "@/lib/context";

// The browser session is next-auth's encrypted cookie carrying one of our login tokens; these are
// the two facts next-auth and our auth helper must agree on. The root auth.ts holds the glue.

/** The key next-auth encrypts session cookies with, derived from the JWT secret (no second secret to manage). */
export function sessionSecret(ctx: Pick<AppContext, "jwtSecret">): string {
  return createHmac("sha256", ctx.jwtSecret).update("artdag-l2 browser session v1").digest("hex");
}

/** next-auth's cookie name: `__Secure-` prefixed when the site is served over https. */
export function sessionCookieName(config: Pick<Config, "scheme">): string {
  return config.scheme === "https" ? "__Secure-authjs.session-token" : "authjs.session-token";
}
