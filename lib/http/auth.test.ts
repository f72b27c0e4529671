import { encode } from "@auth/core/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName, sessionSecret } from "@/lib/accounts/session";
import { registerUser } from "@/lib/accounts";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { SignJWT } from "jose";
import { issueToken, revokeSession, TOKEN_FUTURE_SKEW_SECONDS } from "@/lib/tokens";
import { authenticate, requireUser, sessionUserForWrite } from "./auth";
import { AppError } from "./errors";

describe.each(databaseKinds)("authenticate on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    // Tokens count only for accounts that exist.
    await registerUser(t.ctx, { username: "alice", password: "correct horse" }, { client: null });
  });
  afterAll(() => t.close());

  async function sessionCookie(accessToken: string, secret = sessionSecret(t.ctx)) {
    const name = sessionCookieName(t.config);
    const value = await encode({ token: { sub: "alice", name: "alice", accessToken }, secret, salt: name });
    return `${name}=${value}`;
  }

  it("accepts a Bearer token", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    const p = await authenticate(t.ctx, new Headers({ authorization: `Bearer ${token}` }));
    expect(p).toMatchObject({ username: "alice", via: "bearer", token });
  });

  it("accepts the browser session cookie carrying a login token", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    const p = await authenticate(t.ctx, new Headers({ cookie: await sessionCookie(token) }));
    expect(p).toMatchObject({ username: "alice", via: "session", token });
  });

  it("treats a session whose token was revoked as anonymous (a copied cookie dies with the logout)", async () => {
    const { token, claims } = await issueToken(t.ctx, { username: "alice" });
    const cookie = await sessionCookie(token);
    await t.ctx.prisma.$transaction((tx) => revokeSession(t.ctx, tx, token, claims));
    expect(await authenticate(t.ctx, new Headers({ cookie }))).toBeNull();
  });

  it("treats a session whose token was issued in the future (beyond the skew) as anonymous, and refuses it as a Bearer", async () => {
    const now = Math.floor(t.ctx.now().getTime() / 1000);
    const future = await new SignJWT({ sub: "alice", username: "alice", jti: "f", l2_server: t.config.baseUrl, iat: now + TOKEN_FUTURE_SKEW_SECONDS + 1, exp: now + 3600 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(t.ctx.jwtSecret);
    expect(await authenticate(t.ctx, new Headers({ cookie: await sessionCookie(future) }))).toBeNull();
    await expect(authenticate(t.ctx, new Headers({ authorization: `Bearer ${future}` }))).rejects.toMatchObject({ status: 401 });
  });

  describe("sessionUserForWrite (POST /api/auth/signout)", () => {
    const req = (headers: Record<string, string>) => new Request(`${t.config.baseUrl}/api/auth/signout`, { method: "POST", headers });

    it("answers the session's user for a post from the site's own Origin", async () => {
      const { token } = await issueToken(t.ctx, { username: "alice" });
      const p = await sessionUserForWrite(t.ctx, req({ cookie: await sessionCookie(token), origin: t.config.baseUrl }));
      expect(p).toMatchObject({ username: "alice", via: "session", token });
    });

    it.each([
      ["another site's Origin", { origin: "https://evil.example" }],
      ["no Origin and no Sec-Fetch-Site", {}],
      ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    ])("refuses a live session posted with %s (csrf_rejected)", async (_name, headers: Record<string, string>) => {
      const { token } = await issueToken(t.ctx, { username: "alice" });
      await expect(sessionUserForWrite(t.ctx, req({ cookie: await sessionCookie(token), ...headers }))).rejects.toMatchObject({ code: "csrf_rejected", status: 403 });
    });

    it("is null without a cookie or with a dead one, and ignores a Bearer header", async () => {
      const { token, claims } = await issueToken(t.ctx, { username: "alice" });
      expect(await sessionUserForWrite(t.ctx, req({ origin: t.config.baseUrl, authorization: `Bearer ${token}` }))).toBeNull();
      const cookie = await sessionCookie(token);
      await t.ctx.prisma.$transaction((tx) => revokeSession(t.ctx, tx, token, claims));
      expect(await sessionUserForWrite(t.ctx, req({ cookie, origin: "https://evil.example" }))).toBeNull();
    });
  });

  it("refuses a validly signed token for an account that does not exist: Bearer 401, session anonymous", async () => {
    const { token } = await issueToken(t.ctx, { username: "ghost" });
    await expect(authenticate(t.ctx, new Headers({ authorization: `Bearer ${token}` }))).rejects.toMatchObject({ status: 401 });
    expect(await authenticate(t.ctx, new Headers({ cookie: await sessionCookie(token) }))).toBeNull();
  });

  it("treats a cookie encrypted with another secret as anonymous", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    expect(await authenticate(t.ctx, new Headers({ cookie: await sessionCookie(token, "0".repeat(64)) }))).toBeNull();
  });

  it("answers 401 (not anonymous) for a bad Bearer token, even with a valid cookie", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    const headers = new Headers({ authorization: "Bearer nonsense", cookie: await sessionCookie(token) });
    await expect(authenticate(t.ctx, headers)).rejects.toBeInstanceOf(AppError);
    await expect(authenticate(t.ctx, new Headers({ authorization: `Basic ${token}` }))).rejects.toMatchObject({ status: 401 });
  });

  it("refuses a renderer-scoped token as a Bearer", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice", extraClaims: { l1_server: "https://l1-a.test" } });
    await expect(authenticate(t.ctx, new Headers({ authorization: `Bearer ${token}` }))).rejects.toMatchObject({ status: 401 });
  });

  it("requireUser answers 401 with WWW-Authenticate for anonymous callers", async () => {
    const err = await requireUser(t.ctx, new Headers()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(401);
    expect((err as AppError).extra.headers?.["www-authenticate"]).toContain("Bearer");
  });
});
