import { getToken } from "@auth/core/jwt";
import { sessionCookieName, sessionSecret } from "@/lib/accounts/session";
import type { AppContext } from "@/lib/context";
import { authenticateMooAuth } from "@/lib/clients";
import { isMooAuthRequest } from "@/lib/http-signatures";
import { verifySessionToken, type TokenClaims } from "@/lib/tokens";
import { AppError } from "./errors";

/** Who is calling: a user, through a Bearer token or the browser session, and the token that proves it. */
export interface Principal {
  username: string;
  token: string;
  claims: TokenClaims;
  via: "bearer" | "session";
}

/** A client (BIN-2) that signed the request with a registered did:key (Moo-Auth-1, protocols.md §3). */
export interface MooAuthPrincipal {
  username: string;
  via: "moo-auth";
  didKey: string;
}

/** Any caller a route that accepts Moo-Auth-1 may see. */
export type RequestPrincipal = Principal | MooAuthPrincipal;

export interface AuthenticateRequestOptions {
  /**
   * The path clients address when the route serves a rewritten one (lib/front sends `/assets` to
   * `/api/assets`): a Moo-Auth-1 signature over it is accepted too.
   */
  publicPath?: string;
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

/**
 * The browser session's caller of a state-changing request, from the session cookie only (a Bearer
 * header is not a session); null when there is no cookie or its token is dead. A live session
 * posted from another site's page is refused, as in requireUserForWrite.
 * @throws AppError csrf_rejected
 */
export async function sessionUserForWrite(ctx: AppContext, req: Request): Promise<Principal | null> {
  const token = await sessionAccessToken(ctx, req.headers);
  if (!token) return null;
  const result = await verifySessionToken(ctx, token);
  if (!result.ok) return null;
  if (!isSameOrigin(ctx, req)) throw new AppError("csrf_rejected", "This form must be submitted from this site's own pages.");
  return { username: result.claims.username, token, claims: result.claims, via: "session" };
}

function isSameOrigin(ctx: AppContext, req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin) return origin === ctx.config.baseUrl || origin === new URL(req.url).origin;
  return req.headers.get("sec-fetch-site") === "same-origin";
}

/** Whether the request is signed with Moo-Auth-1 (whether or not the signature is any good). */
export function hasMooAuth(req: Request): boolean {
  return isMooAuthRequest(req.headers);
}

/**
 * The caller of a route that also accepts Moo-Auth-1: `Authorization: Moo-Auth-1 <did:key>` is
 * verified (with `body`, the raw bytes the route read once, for a POST's digest) and answers as
 * the key's actor; otherwise exactly `authenticate` (Bearer, then the session). Null when anonymous.
 * @throws AppError unauthorized (a Moo-Auth-1 or Bearer header that fails)
 */
export async function authenticateRequest(
  ctx: AppContext,
  req: Request,
  body?: Uint8Array,
  options: AuthenticateRequestOptions = {},
): Promise<RequestPrincipal | null> {
  if (isMooAuthRequest(req.headers)) {
    const caller = await authenticateMooAuth(
      ctx,
      { method: req.method, url: req.url, headers: req.headers, body },
      { alternativePaths: options.publicPath ? [options.publicPath] : [] },
    );
    return { username: caller.username, via: "moo-auth", didKey: caller.didKey };
  }
  return authenticate(ctx, req.headers);
}

/** The caller (Moo-Auth-1, Bearer or session), or 401. @throws AppError unauthorized */
export async function requireRequestUser(
  ctx: AppContext,
  req: Request,
  body?: Uint8Array,
  options: AuthenticateRequestOptions = {},
): Promise<RequestPrincipal> {
  const principal = await authenticateRequest(ctx, req, body, options);
  if (!principal) throw unauthorized("Sign in, send 'Authorization: Bearer <token>', or sign the request with Moo-Auth-1.");
  return principal;
}

/**
 * The caller of a state-changing request that also accepts Moo-Auth-1. A browser session gets
 * the same same-origin check as requireUserForWrite; a signed request cannot come from a browser
 * on its own, so it needs none. @throws AppError unauthorized, csrf_rejected
 */
export async function requireRequestUserForWrite(
  ctx: AppContext,
  req: Request,
  body?: Uint8Array,
  options: AuthenticateRequestOptions = {},
): Promise<RequestPrincipal> {
  const principal = await requireRequestUser(ctx, req, body, options);
  if (principal.via === "session" && !isSameOrigin(ctx, req)) {
    throw new AppError("csrf_rejected", "This form must be submitted from this site's own pages.");
  }
  return principal;
}

/**
 * The caller, who must be `username` itself (its Moo-Auth-1 key, Bearer token or session): a
 * key or token of another actor gets 401, like no credentials at all (product.md §6).
 * @throws AppError unauthorized, csrf_rejected (writes from another site's page)
 */
export async function requireRequestUserAs(
  ctx: AppContext,
  req: Request,
  username: string,
  options: AuthenticateRequestOptions & { body?: Uint8Array; write?: boolean } = {},
): Promise<RequestPrincipal> {
  const principal = options.write
    ? await requireRequestUserForWrite(ctx, req, options.body, options)
    : await requireRequestUser(ctx, req, options.body, options);
  if (principal.username !== username) {
    throw unauthorized(`These credentials are ${principal.username}'s; only ${username} (or a client key of ${username}'s actor) may do this.`);
  }
  return principal;
}
