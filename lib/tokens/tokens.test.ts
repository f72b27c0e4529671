import { randomBytes } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { cacheTag, IN_PROCESS_PURGE_FEED, purgeCache, setPurgeFeed, verifiedTokens } from "@/lib/cache";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import {
  cleanupExpiredRevocations,
  issueScopedToken,
  issueToken,
  revokeSession,
  revokeToken,
  TOKEN_FUTURE_SKEW_SECONDS,
  tokenHash,
  verifyScopedToken,
  verifySessionToken,
  verifyTokenSignature,
} from ".";

describe.each(databaseKinds)("tokens on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    // A token counts only for an account that exists.
    for (const username of ["alice", "bob", "carol"]) await registerUser(t.ctx, { username, password: "correct horse" }, { client: null });
  });
  afterAll(() => t.close());

  it("refuses a validly signed token for an account that does not exist", async () => {
    const { token } = await issueToken(t.ctx, { username: "ghost" });
    expect(await verifyTokenSignature(t.ctx, token)).toMatchObject({ ok: true });
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "unknown_user" });
  });

  it("issues a token with the claims of protocols.md §4 that verifies", async () => {
    const { token, claims, expiresAt } = await issueToken(t.ctx, { username: "alice" });
    expect(claims).toMatchObject({ sub: "alice", username: "alice", l2_server: "https://l2.test" });
    expect(claims.exp - claims.iat).toBe(t.config.sessionTtlSeconds);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(expiresAt.getTime()).toBe(claims.exp * 1000);
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    const r = await verifySessionToken(t.ctx, token);
    expect(r).toEqual({ ok: true, claims, tokenHash: tokenHash(token) });
  });

  it("gives each token its own jti", async () => {
    const a = await issueToken(t.ctx, { username: "alice" });
    const b = await issueToken(t.ctx, { username: "alice" });
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it("rejects alg: none", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = new UnsecuredJWT({ sub: "alice", username: "alice", jti: "x", l2_server: "https://l2.test" })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .encode();
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a token signed with another secret", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: "alice", username: "alice", jti: "x", l2_server: "https://l2.test", iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(randomBytes(32));
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects HS512 even with the right secret (one algorithm only)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: "alice", username: "alice", jti: "x", l2_server: "https://l2.test", iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: "HS512" })
      .sign(t.ctx.jwtSecret);
    expect((await verifySessionToken(t.ctx, token)).ok).toBe(false);
  });

  it("rejects a tampered payload", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice" });
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "mallory", username: "mallory" })).toString("base64url");
    expect(await verifySessionToken(t.ctx, `${h}.${forged}.${s}`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects an expired token by the context's clock", async () => {
    const { token, claims } = await issueToken(t.ctx, { username: "alice", ttlSeconds: 60 });
    t.setNow(new Date((claims.exp + 1) * 1000));
    try {
      expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "expired" });
    } finally {
      t.setNow(new Date());
    }
  });

  // A token minted "for later" (a leaked secret, a replica with a wrong clock) is refused beyond the
  // tolerated drift of TOKEN_FUTURE_SKEW_SECONDS, on every path that verifies a token.
  describe("iat / nbf in the future", () => {
    const sign = (claims: Record<string, unknown>) => {
      const now = Math.floor(t.ctx.now().getTime() / 1000);
      return new SignJWT({ sub: "alice", username: "alice", jti: "x", l2_server: "https://l2.test", iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: "HS256" })
        .sign(t.ctx.jwtSecret);
    };
    const at = (offset: number) => Math.floor(t.ctx.now().getTime() / 1000) + offset;

    it.each([
      ["iat just beyond the skew", () => ({ iat: at(TOKEN_FUTURE_SKEW_SECONDS + 1) })],
      ["iat an hour ahead", () => ({ iat: at(3600), exp: at(7200) })],
      ["iat far in the future", () => ({ iat: at(10 * 365 * 86400), exp: at(11 * 365 * 86400) })],
      ["nbf just beyond the skew", () => ({ nbf: at(TOKEN_FUTURE_SKEW_SECONDS + 1) })],
      ["nbf an hour ahead, iat now", () => ({ nbf: at(3600) })],
    ] as const)("refuses %s", async (_name, claims) => {
      const token = await sign(claims());
      expect(await verifyTokenSignature(t.ctx, token)).toEqual({ ok: false, reason: "not_yet_valid" });
      expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "not_yet_valid" });
    });

    it.each([
      ["iat exactly at the skew", () => ({ iat: at(TOKEN_FUTURE_SKEW_SECONDS) })],
      ["iat a few seconds ahead", () => ({ iat: at(5) })],
      ["nbf exactly at the skew", () => ({ nbf: at(TOKEN_FUTURE_SKEW_SECONDS) })],
      ["nbf in the past", () => ({ nbf: at(-600) })],
    ] as const)("accepts %s (clock drift between replicas)", async (_name, claims) => {
      const token = await sign(claims());
      expect((await verifySessionToken(t.ctx, token)).ok).toBe(true);
    });

    it.each([
      ["a string iat", { iat: "later" }],
      ["a string nbf", { nbf: "later" }],
    ] as const)("refuses %s as malformed", async (_name, claims) => {
      expect((await verifySessionToken(t.ctx, await sign(claims))).ok).toBe(false);
    });

    it("refuses a token the moment it expires: the skew does not stretch exp", async () => {
      const token = await sign({ iat: at(-3600), exp: at(0) });
      expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "expired" });
      const justExpired = await sign({ iat: at(-3600), exp: at(-30) });
      expect(await verifySessionToken(t.ctx, justExpired)).toEqual({ ok: false, reason: "expired" });
    });

    it("refuses a renderer token issued in the future at /auth/verify's check", async () => {
      const token = await sign({ iat: at(3600), exp: at(7200), l1_server: "https://l1-a.test", sid: "a".repeat(64) });
      expect(await verifyScopedToken(t.ctx, token, "https://l1-a.test")).toEqual({ ok: false, reason: "not_yet_valid" });
    });
  });

  it("rejects a token of another L2 signed with the same secret", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: "alice", username: "alice", jti: "x", l2_server: "https://other.test", iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(t.ctx.jwtSecret);
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "wrong_issuer" });
  });

  it("refuses a renderer-scoped token as a session token", async () => {
    const { token } = await issueToken(t.ctx, { username: "alice", extraClaims: { l1_server: "https://l1-a.test" } });
    expect((await verifyTokenSignature(t.ctx, token)).ok).toBe(true);
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "scoped" });
  });

  it.each(["", "abc", "a.b.c", "x".repeat(5000)])("rejects garbage %#", async (garbage) => {
    expect((await verifySessionToken(t.ctx, garbage)).ok).toBe(false);
  });

  it("revokes a token: stored by hash only, refused afterwards, revoking twice is harmless", async () => {
    const { token, claims } = await issueToken(t.ctx, { username: "bob" });
    const other = await issueToken(t.ctx, { username: "bob" });
    await t.ctx.prisma.$transaction((tx) => revokeSession(t.ctx, tx, token, claims));
    await revokeToken(t.ctx, token, claims);
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "revoked" });
    expect((await verifySessionToken(t.ctx, other.token)).ok).toBe(true);
    const rows = await t.ctx.prisma.revokedToken.findMany({ where: { username: "bob" } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(tokenHash(token));
    expect(rows[0].tokenHash).not.toContain(token.slice(0, 20));
    expect(rows[0].expiresAt.getTime()).toBe(claims.exp * 1000);
  });

  describe("held verifications of login tokens (lib/cache verifiedTokens)", () => {
    beforeAll(() => setPurgeFeed(IN_PROCESS_PURGE_FEED));
    afterAll(() => {
      setPurgeFeed(null);
      verifiedTokens().clear();
    });

    /** A revocation written behind the app's back (no purge): only a check that asks the database sees it. */
    async function revokeSilently(token: string, exp: number) {
      await t.ctx.prisma.revokedToken.create({ data: { tokenHash: tokenHash(token), username: "alice", expiresAt: new Date(exp * 1000) } });
    }

    it("answers a login token again from memory, and refuses it at once when it is revoked (the revocation purges)", async () => {
      const { token, claims } = await issueToken(t.ctx, { username: "alice" });
      expect(await verifySessionToken(t.ctx, token)).toMatchObject({ ok: true, claims: { username: "alice", jti: claims.jti } });
      await revokeSilently(token, claims.exp);
      // Held: the database is not asked again.
      expect(await verifySessionToken(t.ctx, token)).toMatchObject({ ok: true, tokenHash: tokenHash(token) });
      await revokeToken(t.ctx, token, claims);
      expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "revoked" });
    });

    it("refuses a held token at once after a logout (revokeSession), and never holds a refusal", async () => {
      const { token, claims } = await issueToken(t.ctx, { username: "alice" });
      expect((await verifySessionToken(t.ctx, token)).ok).toBe(true);
      await t.ctx.prisma.$transaction((tx) => revokeSession(t.ctx, tx, token, claims));
      expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "revoked" });
      const ghost = await issueToken(t.ctx, { username: "ghost" });
      expect(await verifySessionToken(t.ctx, ghost.token)).toEqual({ ok: false, reason: "unknown_user" });
      expect(await verifySessionToken(t.ctx, ghost.token)).toEqual({ ok: false, reason: "unknown_user" });
    });

    it("keeps it across purges of the user's public documents, drops it on a purge of the account", async () => {
      const { token, claims } = await issueToken(t.ctx, { username: "alice" });
      expect((await verifySessionToken(t.ctx, token)).ok).toBe(true);
      await revokeSilently(token, claims.exp);
      await purgeCache(t.ctx.prisma, [cacheTag.user("alice"), cacheTag.collection("alice", "outbox"), cacheTag.nodeinfo]);
      expect((await verifySessionToken(t.ctx, token)).ok).toBe(true);
      await purgeCache(t.ctx.prisma, [cacheTag.account("alice")]);
      expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "revoked" });
    });

    it("holds nothing while this process might miss a purge, and nothing past the token's expiry", async () => {
      const a = await issueToken(t.ctx, { username: "alice" });
      setPurgeFeed(null);
      try {
        expect((await verifySessionToken(t.ctx, a.token)).ok).toBe(true);
        await revokeSilently(a.token, a.claims.exp);
        expect(await verifySessionToken(t.ctx, a.token)).toEqual({ ok: false, reason: "revoked" });
      } finally {
        setPurgeFeed(IN_PROCESS_PURGE_FEED);
      }
      const b = await issueToken(t.ctx, { username: "alice", ttlSeconds: 120 });
      expect((await verifySessionToken(t.ctx, b.token)).ok).toBe(true);
      t.setNow(new Date(b.claims.exp * 1000));
      try {
        expect(await verifySessionToken(t.ctx, b.token)).toEqual({ ok: false, reason: "expired" });
      } finally {
        t.setNow(new Date());
      }
    });

    it("never answers a renderer token held for an L1 as a login token", async () => {
      const login = await issueToken(t.ctx, { username: "alice" });
      const scoped = await issueScopedToken(t.ctx, t.ctx.prisma, login, "https://l1-held.test");
      verifiedTokens().remember(
        scoped.token,
        { scope: "https://l1-held.test", body: { valid: true }, text: "{}", exp: scoped.claims.exp, tags: [] },
        verifiedTokens().begin(),
        Date.now(),
      );
      expect(await verifySessionToken(t.ctx, scoped.token)).toEqual({ ok: false, reason: "scoped" });
    });
  });

  it("cleans up only revocations whose token has expired", async () => {
    const shortLived = await issueToken(t.ctx, { username: "carol", ttlSeconds: 60 });
    const longLived = await issueToken(t.ctx, { username: "carol", ttlSeconds: 3600 });
    await revokeToken(t.ctx, shortLived.token, shortLived.claims);
    await revokeToken(t.ctx, longLived.token, longLived.claims);
    t.setNow(new Date((shortLived.claims.exp + 5) * 1000));
    try {
      const removed = await cleanupExpiredRevocations(t.ctx);
      expect(removed).toBeGreaterThanOrEqual(1);
      const left = await t.ctx.prisma.revokedToken.findMany({ where: { username: "carol" } });
      expect(left.map((r) => r.tokenHash)).toEqual([tokenHash(longLived.token)]);
      // The long-lived one is still refused: cleanup never un-revokes a live token.
      expect(await verifySessionToken(t.ctx, longLived.token)).toEqual({ ok: false, reason: "revoked" });
    } finally {
      t.setNow(new Date());
    }
  });

  it("verifyScopedToken answers each reason from its one statement: issued for this L1, the token or its session revoked, the account gone", async () => {
    const L1 = "https://l1-a.test";
    await registerUser(t.ctx, { username: "dora", password: "correct horse" }, { client: null });
    const login = await issueToken(t.ctx, { username: "dora" });
    const scoped = await issueScopedToken(t.ctx, t.ctx.prisma, login, L1);
    expect(await verifyScopedToken(t.ctx, scoped.token, L1)).toMatchObject({
      ok: true,
      claims: { username: "dora", l1_server: L1, sid: tokenHash(login.token) },
    });
    expect(await verifyScopedToken(t.ctx, scoped.token, "https://l1-b.test")).toEqual({ ok: false, reason: "other_l1" });
    // Signed with our secret and scoped, but never issued (no issued_tokens row).
    const forged = await issueToken(t.ctx, { username: "dora", extraClaims: { l1_server: L1, sid: tokenHash(login.token) } });
    expect(await verifyScopedToken(t.ctx, forged.token, L1)).toEqual({ ok: false, reason: "not_issued" });
    // The scoped token itself revoked.
    const second = await issueScopedToken(t.ctx, t.ctx.prisma, login, L1);
    await revokeToken(t.ctx, second.token, second.claims);
    expect(await verifyScopedToken(t.ctx, second.token, L1)).toEqual({ ok: false, reason: "revoked" });
    // Its login session revoked (a logout), the scoped token's own row untouched.
    await revokeToken(t.ctx, login.token, login.claims);
    expect(await verifyScopedToken(t.ctx, scoped.token, L1)).toEqual({ ok: false, reason: "parent_revoked" });
    // The account gone, with a fresh session and token.
    const login2 = await issueToken(t.ctx, { username: "dora" });
    const third = await issueScopedToken(t.ctx, t.ctx.prisma, login2, L1);
    expect(await verifyScopedToken(t.ctx, third.token, L1)).toMatchObject({ ok: true });
    await t.ctx.prisma.issuedToken.deleteMany({ where: { username: "dora", tokenHash: { not: third.tokenHash } } });
    await t.ctx.prisma.$executeRaw`DELETE FROM users WHERE username = 'dora'`;
    expect(await verifyScopedToken(t.ctx, third.token, L1)).toEqual({ ok: false, reason: "unknown_user" });
  });
});
