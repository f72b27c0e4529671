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

/** Where next-auth's own endpoints live (auth.ts `basePath`). */
export const AUTH_BASE_PATH = "/api/auth";

/**
 * The next-auth action a request path names, parsed as @auth/core parses it (the first non-empty
 * segment after the base path, so `/api/auth//signout/x` is `signout` too); null outside it.
 */
export function authActionOf(pathname: string): string | null {
  if (!pathname.startsWith(AUTH_BASE_PATH)) return null;
  return pathname.slice(AUTH_BASE_PATH.length).split("/").filter(Boolean)[0] ?? null;
}
