// Who is calling, named by the credential that proves it: a browser session (our login token in
// the next-auth cookie), a Bearer token, or a client's Moo-Auth-1 signature with a registered
// did:key (protocols.md §3). Every route states what it accepts in its first line:
//   const caller = await requireCaller(ctx, req, { accept: ["session", "bearer"], write: true });
import type { AppContext } from "@/lib/context";
import { authenticateMooAuth } from "@/lib/clients";
import { isMooAuthRequest } from "@/lib/http-signatures";
import { verifySessionToken, type TokenClaims } from "@/lib/tokens";
import { bearerToken, csrfRejected, isSameOrigin, sessionAccessToken, unauthorized } from "./credentials";

/** The kinds of credential a route may accept. */
export type Credential = "session" | "bearer" | "moo-auth";

/** A user calling with one of our login tokens: a Bearer header, or the browser session carrying it. */
export interface TokenCaller {
  username: string;
  via: "bearer" | "session";
  token: string;
  claims: TokenClaims;
}

/** A client (BIN-2) that signed the request with a registered did:key (Moo-Auth-1). */
export interface KeyCaller {
  username: string;
  via: "moo-auth";
  didKey: string;
}

export type Caller = TokenCaller | KeyCaller;

/** The callers a route accepting the credentials `A` can see. */
export type CallerVia<A extends Credential> = Extract<Caller, { via: A }>;

export interface GetCallerOptions<A extends Credential> {
  accept: readonly A[];
  /**
   * A state-changing request: a browser session must come from our own pages (Origin, else
   * Sec-Fetch-Site), so no other site can submit it. @throws AppError csrf_rejected
   */
  write?: boolean;
  /** The raw body the route read once: a Moo-Auth-1 signature covers its digest. */
  body?: Uint8Array;
  /**
   * The path clients address when the route serves a rewritten one (the front door sends
   * `/assets` to `/api/assets`): a Moo-Auth-1 signature over it is accepted too.
   */
  publicPath?: string;
}

export interface RequireCallerOptions<A extends Credential> extends GetCallerOptions<A> {
  /** The caller must be this user (a key or token of another actor gets 401, product.md §6). */
  as?: string;
}

/** What a caller is read from: a Request, or only the headers of a page request (no Moo-Auth-1 there). */
type CallerSource<A extends Credential> = "moo-auth" extends A ? Request : Request | Headers;

/**
 * The caller, or null when anonymous. A credential that is present and accepted but fails (a bad,
 * expired, revoked or L1-scoped Bearer token; a Moo-Auth-1 signature that does not verify) is a
 * 401, never anonymous; a dead browser session is anonymous (the cookie is only a cookie).
 * Credentials the route does not accept are not looked at.
 * @throws AppError unauthorized, csrf_rejected (write)
 */
export async function getCaller<A extends Credential>(ctx: AppContext, source: CallerSource<A>, options: GetCallerOptions<A>): Promise<CallerVia<A> | null> {
  // A page request offers only its headers; Moo-Auth-1 (method, URL, body) needs the Request.
  const req: Request | { headers: Headers; url?: undefined } = source instanceof Request ? source : { headers: source as Headers };
  const accepts = (credential: Credential) => (options.accept as readonly Credential[]).includes(credential);
  let caller: Caller | null = null;
  if (accepts("moo-auth") && req instanceof Request && isMooAuthRequest(req.headers)) {
    const signed = await authenticateMooAuth(
      ctx,
      { method: req.method, url: req.url, headers: req.headers, body: options.body },
      { alternativePaths: options.publicPath ? [options.publicPath] : [] },
    );
    caller = { username: signed.username, via: "moo-auth", didKey: signed.didKey };
  } else {
    const bearer = accepts("bearer") ? bearerToken(req.headers) : null;
    if (bearer !== null) {
      const result = await verifySessionToken(ctx, bearer);
      if (!result.ok) throw unauthorized("The token is invalid, expired or revoked.");
      caller = { username: result.claims.username, via: "bearer", token: bearer, claims: result.claims };
    } else if (accepts("session")) {
      const token = await sessionAccessToken(ctx, req.headers);
      const result = token ? await verifySessionToken(ctx, token) : null;
      if (token && result?.ok) caller = { username: result.claims.username, via: "session", token, claims: result.claims };
    }
  }
  if (caller?.via === "session" && options.write && !isSameOrigin(ctx, req)) throw csrfRejected();
  return caller as CallerVia<A> | null;
}

/**
 * The caller, or 401 when anonymous; with `as`, the caller must be that user.
 * @throws AppError unauthorized, csrf_rejected (write)
 */
export async function requireCaller<A extends Credential>(ctx: AppContext, source: CallerSource<A>, options: RequireCallerOptions<A>): Promise<CallerVia<A>> {
  const caller = await getCaller(ctx, source, options);
  if (!caller) {
    throw unauthorized(
      (options.accept as readonly Credential[]).includes("moo-auth")
        ? "Sign in, send 'Authorization: Bearer <token>', or sign the request with Moo-Auth-1."
        : "Sign in or send 'Authorization: Bearer <token>'.",
    );
  }
  if (options.as !== undefined && caller.username !== options.as) {
    throw unauthorized(`These credentials are ${caller.username}'s; only ${options.as} (or a client key of ${options.as}'s actor) may do this.`);
  }
  return caller;
}
