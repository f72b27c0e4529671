// Reading each kind of credential off a request: the Bearer token, the browser session cookie (an
// encrypted next-auth cookie that carries one of our login tokens) and the same-origin check a
// cookie-authenticated write must pass.
import { getToken } from "@auth/core/jwt";
import { sessionCookieName, sessionSecret } from "@/lib/accounts";
import type { AppContext } from "@/lib/context";
import { AppError } from "@/lib/errors";

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
 * The token of an `Authorization: Bearer` header; null when there is no Authorization header.
 * @throws AppError unauthorized (an Authorization header of any other shape)
 */
export function bearerToken(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  if (!authorization) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) throw unauthorized("The Authorization header must be 'Bearer <token>'.");
  return m[1];
}

/**
 * Whether a state-changing request comes from our own pages: its Origin is ours, or (without
 * Origin) its Sec-Fetch-Site is same-origin. Only cookie-authenticated writes need this: browsers
 * never send Bearer tokens or Moo-Auth-1 signatures on their own.
 */
export function isSameOrigin(ctx: AppContext, req: { headers: Headers; url?: string }): boolean {
  const origin = req.headers.get("origin");
  if (origin) return origin === ctx.config.baseUrl || (req.url !== undefined && origin === new URL(req.url).origin);
  return req.headers.get("sec-fetch-site") === "same-origin";
}

export function unauthorized(message: string): AppError {
  return new AppError("unauthorized", message, { headers: { "www-authenticate": 'Bearer realm="artdag"' } });
}

export function csrfRejected(): AppError {
  return new AppError("csrf_rejected", "This form must be submitted from this site's own pages.");
}
