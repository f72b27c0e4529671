import { encode } from "@auth/core/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName, sessionSecret } from "@/lib/accounts/session";
import { registerUser } from "@/lib/accounts";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { issueToken, revokeSession } from "@/lib/tokens";
import { authenticate, requireUser } from "./auth";
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
