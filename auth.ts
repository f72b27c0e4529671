// next-auth (v5) glue for the browser session. The session is an encrypted cookie that carries one
// of our own login tokens, so a browser session is revoked exactly like a Bearer token: the token
// is checked (signature, expiry, revocation) on every request by lib/callers (getCaller).
import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { AUTH_BASE_PATH, sessionCookieName, sessionSecret } from "@/lib/accounts";
import { isDatabaseUnavailable } from "@/lib/db";
import { getContext } from "@/lib/runtime";
import { verifySessionToken } from "@/lib/tokens";

export const { handlers, signIn, signOut } = NextAuth(async () => {
  const ctx = await getContext();
  const cookieName = sessionCookieName(ctx.config);
  return {
    secret: sessionSecret(ctx),
    trustHost: true,
    basePath: AUTH_BASE_PATH,
    useSecureCookies: ctx.config.scheme === "https",
    cookies: { sessionToken: { name: cookieName } },
    session: { strategy: "jwt", maxAge: ctx.config.sessionTtlSeconds },
    pages: { signIn: "/login", signOut: "/logout", error: "/login" },
    logger: {
      // A failed sign-in is an ordinary event (the form shows it); anything else is worth a line.
      // (By `type`: the production build minifies class names, so `name` reads "m" there.)
      error(err) {
        const type = (err as { type?: string }).type ?? err.name;
        if (type !== "CredentialsSignin") console.error(`[auth] ${type}: ${err.message}`);
      },
      warn() {},
      debug() {},
    },
    providers: [
      // Only ever handed a token our own login or registration has just issued (see the forms'
      // server actions): passwords are checked, rate-limited and errors reported in lib/accounts.
      Credentials({
        credentials: { token: {} },
        async authorize(credentials) {
          const token = typeof credentials?.token === "string" ? credentials.token : "";
          const result = await verifySessionToken(ctx, token);
          if (!result.ok) return null;
          return { id: result.claims.username, name: result.claims.username, accessToken: token };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) return { sub: user.id, name: user.name, accessToken: (user as { accessToken?: string }).accessToken };
        // A revoked or expired login token ends the session (and clears the cookie).
        const access = typeof token.accessToken === "string" ? token.accessToken : "";
        // While the database is unreachable the revocation cannot be checked: keep the cookie
        // rather than sign the person out (every request still checks the token itself).
        const verified = await verifySessionToken(ctx, access).catch((err: unknown) => {
          if (isDatabaseUnavailable(err)) return null;
          throw err;
        });
        if (verified === null) return token;
        return verified.ok ? token : null;
      },
      session({ session, token }) {
        // Never hand the access token to the browser: the session JSON carries the name only.
        return { expires: session.expires, user: { name: token.name ?? null } } as typeof session;
      },
    },
  };
});
