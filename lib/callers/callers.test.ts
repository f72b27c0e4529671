import { encode } from "@auth/core/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, sessionCookieName, sessionSecret } from "@/lib/accounts";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { SignJWT } from "jose";
import { issueToken, revokeSession, TOKEN_FUTURE_SKEW_SECONDS } from "@/lib/tokens";
import { getCaller, requireCaller } from "./callers";

const TOKENS = { accept: ["session", "bearer"] } as const;
import { AppError } from "@/lib/errors";

describe.each(databaseKinds)("getCaller on %s", (kind) => {
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
    const p = await getCaller(t.ctx, new Headers({ authorization: `Bearer ${token}` }), TOKENS);
    expect(p).toMatchObject({ username: "alice", via: "bearer", token });
  });

  it("accepts the browser session cookie carrying a login token", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    const p = await getCaller(t.ctx, new Headers({ cookie: await sessionCookie(token) }), TOKENS);
    expect(p).toMatchObject({ username: "alice", via: "session", token });
  });

  it("treats a session whose token was revoked as anonymous (a copied cookie dies with the logout)", async () => {
    const { token, claims } = await issueToken(t.ctx, { username: "alice" });
    const cookie = await sessionCookie(token);
    await t.ctx.prisma.$transaction((tx) => revokeSession(t.ctx, tx, token, claims));
    expect(await getCaller(t.ctx, new Headers({ cookie }), TOKENS)).toBeNull();
  });

  it("treats a session whose token was issued in the future (beyond the skew) as anonymous, and refuses it as a Bearer", async () => {
    const now = Math.floor(t.ctx.now().getTime() / 1000);
    const future = await new SignJWT({
      sub: "alice",
      username: "alice",
      jti: "f",
      l2_server: t.config.baseUrl,
      iat: now + TOKEN_FUTURE_SKEW_SECONDS + 1,
      exp: now + 3600,
    })
      .setProtectedHeader({ alg: "HS256" })
      .sign(t.ctx.jwtSecret);
    expect(await getCaller(t.ctx, new Headers({ cookie: await sessionCookie(future) }), TOKENS)).toBeNull();
    await expect(getCaller(t.ctx, new Headers({ authorization: `Bearer ${future}` }), TOKENS)).rejects.toMatchObject({ status: 401 });
  });

  describe("getCaller, session only, for a write (POST /api/auth/signout)", () => {
    const req = (headers: Record<string, string>) => new Request(`${t.config.baseUrl}/api/auth/signout`, { method: "POST", headers });

    it("answers the session's user for a post from the site's own Origin", async () => {
      const { token } = await issueToken(t.ctx, { username: "alice" });
      const p = await getCaller(t.ctx, req({ cookie: await sessionCookie(token), origin: t.config.baseUrl }), { accept: ["session"], write: true });
      expect(p).toMatchObject({ username: "alice", via: "session", token });
    });

    it.each([
      ["another site's Origin", { origin: "https://evil.example" }],
      ["no Origin and no Sec-Fetch-Site", {}],
      ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    ])("refuses a live session posted with %s (csrf_rejected)", async (_name, headers: Record<string, string>) => {
      const { token } = await issueToken(t.ctx, { username: "alice" });
      await expect(getCaller(t.ctx, req({ cookie: await sessionCookie(token), ...headers }), { accept: ["session"], write: true })).rejects.toMatchObject({
        code: "csrf_rejected",
        status: 403,
      });
    });

    it("is null without a cookie or with a dead one, and ignores a Bearer header", async () => {
      const { token, claims } = await issueToken(t.ctx, { username: "alice" });
      expect(await getCaller(t.ctx, req({ origin: t.config.baseUrl, authorization: `Bearer ${token}` }), { accept: ["session"], write: true })).toBeNull();
      const cookie = await sessionCookie(token);
      await t.ctx.prisma.$transaction((tx) => revokeSession(t.ctx, tx, token, claims));
      expect(await getCaller(t.ctx, req({ cookie, origin: "https://evil.example" }), { accept: ["session"], write: true })).toBeNull();
    });
  });

  it("refuses a validly signed token for an account that does not exist: Bearer 401, session anonymous", async () => {
    const { token } = await issueToken(t.ctx, { username: "ghost" });
    await expect(getCaller(t.ctx, new Headers({ authorization: `Bearer ${token}` }), TOKENS)).rejects.toMatchObject({ status: 401 });
    expect(await getCaller(t.ctx, new Headers({ cookie: await sessionCookie(token) }), TOKENS)).toBeNull();
  });

  it("treats a cookie encrypted with another secret as anonymous", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    expect(await getCaller(t.ctx, new Headers({ cookie: await sessionCookie(token, "0".repeat(64)) }), TOKENS)).toBeNull();
  });

  it("answers 401 (not anonymous) for a bad Bearer token, even with a valid cookie", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    const headers = new Headers({ authorization: "Bearer nonsense", cookie: await sessionCookie(token) });
    await expect(getCaller(t.ctx, headers, TOKENS)).rejects.toBeInstanceOf(AppError);
    await expect(getCaller(t.ctx, new Headers({ authorization: `Basic ${token}` }), TOKENS)).rejects.toMatchObject({ status: 401 });
  });

  it("refuses a renderer-scoped token as a Bearer", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice", extraClaims: { l1_server: "https://l1-a.test" } });
    await expect(getCaller(t.ctx, new Headers({ authorization: `Bearer ${token}` }), TOKENS)).rejects.toMatchObject({ status: 401 });
  });

  it("requireCaller answers 401 with WWW-Authenticate for anonymous callers", async () => {
    const err = await requireCaller(t.ctx, new Headers(), TOKENS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(401);
    expect((err as AppError).extra.headers?.["www-authenticate"]).toContain("Bearer");
  });

  it("requireCaller with `as` answers only that user: another user's token is a 401 naming both", async () => {
    await registerUser(t.ctx, { username: "bob", password: "correct horse" }, { client: null });
    const { token } = await issueToken(t.ctx, { username: "bob" });
    const headers = new Headers({ authorization: `Bearer ${token}` });
    await expect(requireCaller(t.ctx, headers, { ...TOKENS, as: "bob" })).resolves.toMatchObject({ username: "bob", via: "bearer" });
    const err = await requireCaller(t.ctx, headers, { ...TOKENS, as: "alice" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "unauthorized", status: 401 });
    expect((err as AppError).message).toBe("These credentials are bob's; only alice (or a client key of alice's actor) may do this.");
  });

  it("looks only at the credentials a route accepts: a Moo-Auth-1 header where only tokens are accepted is a malformed Authorization (401), never a caller", async () => {
    const req = new Request(`${t.config.baseUrl}/renderers/attach`, {
      method: "POST",
      headers: { authorization: "Moo-Auth-1 did:key:z6MkfAKE", "x-moo-signature": "x", date: new Date().toUTCString() },
    });
    await expect(requireCaller(t.ctx, req, { ...TOKENS, write: true })).rejects.toMatchObject({
      code: "unauthorized",
      message: "The Authorization header must be 'Bearer <token>'.",
    });
    // …and a route that accepts Moo-Auth-1 verifies it (an unknown key is refused, not ignored).
    await expect(requireCaller(t.ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true })).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("answers the Moo-Auth-1 wording of the anonymous 401 where clients may sign", async () => {
    const req = new Request(`${t.config.baseUrl}/auth/me`);
    await expect(requireCaller(t.ctx, req, { accept: ["session", "bearer", "moo-auth"] })).rejects.toMatchObject({
      code: "unauthorized",
      message: "Sign in, send 'Authorization: Bearer <token>', or sign the request with Moo-Auth-1.",
    });
  });
});
