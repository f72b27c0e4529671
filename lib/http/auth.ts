import { getToken } from "@auth/core/jwt";
import { sessionCookieName, sessionSecret } from "@/lib/accounts/session";
import type { AppContext } from "@/lib/context";
import { verifySessionToken, type TokenClaims } from "@/lib/tokens";
import { AppError } from "./errors";

/** Who is calling: a user, through a Bearer token or the browser session, and the token that proves it. */
export interface Principal {
  username: string;
  token: string;
  claims: TokenClaims;
  via: "bearer" | "session";
}

/** The login token inside the browser session cookie, if the cookie decrypts. */
export async function sessionAccessToken(ctx: AppContext, headers: Headers): Promise<string | null> {
  const cookie = headers.get("cookie");
  if (!cookie) return null;
  const name = sessionCookieName(ctx.config);
  const session = await getToken({
    // Only the cookie: getToken would otherwise also read a Bearer header as a session.
    req: { headers: new Headers({ cookie }) },
    secret: sessionSecret(ctx),
    secureCookie: ctx.config.scheme === "https",
    cookieName: name,
    salt: name,
    logger: { error() {}, warn() {}, debug() {} },
  }).catch(() => null);
  const token = session?.accessToken;
  return typeof token === "string" ? token : null;
}

/**
 * The caller, from `Authorization: Bearer` or else the session cookie; null when anonymous.
 * A Bearer token that fails (bad, expired, revoked, scoped to an L1) is a 401, never anonymous.
 * @throws AppError unauthorized
 */
export async function authenticate(ctx: AppContext, headers: Headers): Promise<Principal | null> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw unauthorized("The Authorization header must be 'Bearer <token>'.");
    const result = await verifySessionToken(ctx, m[1]);
    if (!result.ok) throw unauthorized("The token is invalid, expired or revoked.");
    return { username: result.claims.username, token: m[1], claims: result.claims, via: "bearer" };
  }
  const token = await sessionAccessToken(ctx, headers);
  if (!token) return null;
  const result = await verifySessionToken(ctx, token);
  if (!result.ok) return null;
  return { username: result.claims.username, token, claims: result.claims, via: "session" };
}

/** The caller, or 401. @throws AppError unauthorized */
export async function requireUser(ctx: AppContext, headers: Headers): Promise<Principal> {
  const principal = await authenticate(ctx, headers);
  if (!principal) throw unauthorized("Sign in or send 'Authorization: Bearer <token>'.");
  return principal;
}

function unauthorized(message: string): AppError {
  return new AppError("unauthorized", message, { headers: { "www-authenticate": 'Bearer realm="artdag"' } });
}

/**
 * The caller of a state-changing request. A browser session must come from our own pages: a
 * cookie-authenticated write whose Origin is another site (or, without Origin, whose
 * Sec-Fetch-Site is not same-origin) is refused, so no other site can submit it. Bearer tokens
 * are never sent by browsers on their own, so they need no such check.
 * @throws AppError unauthorized, csrf_rejected
 */
export async function requireUserForWrite(ctx: AppContext, req: Request): Promise<Principal> {
  const principal = await requireUser(ctx, req.headers);
  if (principal.via === "session" && !isSameOrigin(ctx, req)) {
    throw new AppError("csrf_rejected", "This form must be submitted from this site's own pages.");
  }
  return principal;
}

function isSameOrigin(ctx: AppContext, req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin) return origin === ctx.config.baseUrl || origin === new URL(req.url).origin;
  return req.headers.get("sec-fetch-site") === "same-origin";
}
