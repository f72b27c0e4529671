import http from "node:http";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import type { TokenCaller } from "@/lib/callers";
import { IN_PROCESS_PURGE_FEED, setPurgeFeed } from "@/lib/cache";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { issueToken, revokeToken, tokenHash, verifySessionToken } from "@/lib/tokens";
import { attachRenderer, detachRenderer, introspectRendererToken, L1_NOTIFY_JOB, listRenderers, logoutEverywhere, notifyL1, type L1NotifyPayload } from ".";

const L1_A = "https://l1-a.test";
const L1_B = "https://l1-b.test";

async function login(t: TestContext, username: string): Promise<TokenCaller> {
  const { token, claims } = await issueToken(t.ctx, { username });
  return { username, token, claims, via: "bearer" };
}

function tokenFrom(location: string): string {
  return new URL(location).searchParams.get("auth_token")!;
}

describe.each(databaseKinds)("renderers on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    for (const u of ["alice", "bob"]) await registerUser(t.ctx, { username: u, password: "password " + u }, { client: null });
  });
  afterAll(() => t.close());

  it("lists every configured L1 with the caller's state only", async () => {
    const alice = await login(t, "alice");
    await attachRenderer(t.ctx, alice, L1_A);
    expect(await listRenderers(t.ctx, "alice")).toEqual([
      { l1_server: L1_A, attached: true, attached_at: expect.any(String) },
      { l1_server: L1_B, attached: false, attached_at: null },
    ]);
    expect((await listRenderers(t.ctx, "bob")).every((r) => !r.attached)).toBe(true);
  });

  it("attaches with a token scoped to that L1, recorded encrypted, and redirects to the L1's /auth", async () => {
    const alice = await login(t, "alice");
    const { location } = await attachRenderer(t.ctx, alice, "HTTPS://L1-B.test/");
    expect(location.startsWith(`${L1_B}/auth?auth_token=`)).toBe(true);
    const token = tokenFrom(location);
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({
      sub: "alice",
      username: "alice",
      l1_server: L1_B,
      l2_server: "https://l2.test",
      sid: tokenHash(alice.token),
      exp: alice.claims.exp,
    });
    const row = await t.ctx.prisma.issuedToken.findUniqueOrThrow({ where: { tokenHash: tokenHash(token) } });
    expect(row).toMatchObject({ username: "alice", l1Server: L1_B, parentHash: tokenHash(alice.token) });
    expect(row.tokenCiphertext).not.toContain(token.slice(0, 30));
    // A renderer token is not a login token at L2.
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "scoped" });
  });

  it("refuses an unlisted L1 with 400 and issues nothing", async () => {
    const alice = await login(t, "alice");
    const before = await t.ctx.prisma.issuedToken.count();
    for (const bad of ["https://evil.test", "https://l1-a.test.evil.test", "https://l1-a.test@evil.test", "//evil.test", "javascript:alert(1)"]) {
      await expect(attachRenderer(t.ctx, alice, bad)).rejects.toMatchObject({ status: 400, code: "l1_not_allowed" });
    }
    expect(await t.ctx.prisma.issuedToken.count()).toBe(before);
  });

  describe("introspectRendererToken", () => {
    it("answers the RFC 7662 fields for a valid token presented by its own L1", async () => {
      const alice = await login(t, "alice");
      const token = tokenFrom((await attachRenderer(t.ctx, alice, L1_A)).location);
      const r = await introspectRendererToken(t.ctx, { token, l1Server: L1_A });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        valid: true,
        active: true,
        username: "alice",
        sub: "alice",
        l1_server: L1_A,
        l2_server: "https://l2.test",
        exp: alice.claims.exp,
        iat: expect.any(Number),
        jti: expect.any(String),
      });
    });

    it("refuses a token scoped to L1-A presented by listed L1-B", async () => {
      const token = tokenFrom((await attachRenderer(t.ctx, await login(t, "alice"), L1_A)).location);
      expect(await introspectRendererToken(t.ctx, { token, l1Server: L1_B })).toEqual({ status: 401, body: { valid: false, active: false } });
    });

    it("answers 403 to an unlisted L1 even with a valid token, and 400 without an L1", async () => {
      const token = tokenFrom((await attachRenderer(t.ctx, await login(t, "alice"), L1_A)).location);
      await expect(introspectRendererToken(t.ctx, { token, l1Server: "https://evil.test" })).rejects.toMatchObject({ status: 403, code: "unauthorized_l1" });
      await expect(introspectRendererToken(t.ctx, { token, l1Server: null })).rejects.toMatchObject({ status: 400 });
    });

    it("refuses an unscoped login token, a forged scoped token we never issued, garbage and no token", async () => {
      const alice = await login(t, "alice");
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({
        sub: "alice",
        username: "alice",
        iat: now,
        exp: now + 600,
        jti: "x",
        l2_server: "https://l2.test",
        l1_server: L1_A,
        sid: tokenHash(alice.token),
      })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .sign(t.ctx.jwtSecret);
      for (const token of [alice.token, forged, "garbage", "", null]) {
        expect(await introspectRendererToken(t.ctx, { token, l1Server: L1_A })).toEqual({ status: 401, body: { valid: false, active: false } });
      }
    });

    it("refuses an expired scoped token", async () => {
      const short = await issueToken(t.ctx, { username: "alice", ttlSeconds: 60 });
      const token = tokenFrom((await attachRenderer(t.ctx, { username: "alice", token: short.token, claims: short.claims, via: "bearer" }, L1_A)).location);
      t.setNow(new Date((short.claims.exp + 1) * 1000));
      try {
        expect((await introspectRendererToken(t.ctx, { token, l1Server: L1_A })).status).toBe(401);
      } finally {
        t.setNow(new Date());
      }
    });
  });

  // Positive answers held in memory (lib/cache verifiedTokens), as on a server whose every purge
  // reaches this process: each revocation path drops them at once.
  describe("introspectRendererToken with positive answers held", () => {
    beforeAll(() => setPurgeFeed(IN_PROCESS_PURGE_FEED));
    afterAll(() => setPurgeFeed(null));
    const active = (r: { status: number }) => r.status;
    /** A scoped token verified once (now held), with its database row gone: only the held answer says 200. */
    async function held(user: TokenCaller, l1 = L1_A): Promise<string> {
      const token = tokenFrom((await attachRenderer(t.ctx, user, l1)).location);
      expect(active(await introspectRendererToken(t.ctx, { token, l1Server: l1 }))).toBe(200);
      return token;
    }

    it("answers a verified token again from memory, for its own L1 only, and not past its expiry", async () => {
      const alice = await login(t, "alice");
      const token = await held(alice);
      const first = await introspectRendererToken(t.ctx, { token, l1Server: L1_A });
      // Its issued_tokens row removed behind the cache's back (no purge): the answer is the held one.
      await t.ctx.prisma.issuedToken.delete({ where: { tokenHash: tokenHash(token) } });
      expect(await introspectRendererToken(t.ctx, { token, l1Server: L1_A })).toEqual(first);
      expect(await introspectRendererToken(t.ctx, { token, l1Server: L1_B })).toEqual({ status: 401, body: { valid: false, active: false } });
      t.setNow(new Date((alice.claims.exp + 1) * 1000));
      try {
        expect(active(await introspectRendererToken(t.ctx, { token, l1Server: L1_A }))).toBe(401);
      } finally {
        t.setNow(new Date());
      }
    });

    it("refuses a held token at once after logout (the session and every token issued from it)", async () => {
      const alice = await login(t, "alice");
      const a = await held(alice, L1_A);
      const b = await held(alice, L1_B);
      await logoutEverywhere(t.ctx, alice);
      expect(await introspectRendererToken(t.ctx, { token: a, l1Server: L1_A })).toEqual({ status: 401, body: { valid: false, active: false } });
      expect(active(await introspectRendererToken(t.ctx, { token: b, l1Server: L1_B }))).toBe(401);
    });

    it("refuses a held token at once after detach, and keeps the other L1's", async () => {
      const alice = await login(t, "alice");
      const a = await held(alice, L1_A);
      const b = await held(alice, L1_B);
      await detachRenderer(t.ctx, alice, L1_A);
      expect(active(await introspectRendererToken(t.ctx, { token: a, l1Server: L1_A }))).toBe(401);
      expect(active(await introspectRendererToken(t.ctx, { token: b, l1Server: L1_B }))).toBe(200);
    });

    it("refuses a held token at once after the token, or its login token, is revoked", async () => {
      const alice = await login(t, "alice");
      const a = await held(alice, L1_A);
      const b = await held(alice, L1_B);
      const scoped = JSON.parse(Buffer.from(a.split(".")[1], "base64url").toString());
      await revokeToken(t.ctx, a, scoped);
      expect(active(await introspectRendererToken(t.ctx, { token: a, l1Server: L1_A }))).toBe(401);
      expect(active(await introspectRendererToken(t.ctx, { token: b, l1Server: L1_B }))).toBe(200);
      await revokeToken(t.ctx, alice.token, alice.claims);
      expect(active(await introspectRendererToken(t.ctx, { token: b, l1Server: L1_B }))).toBe(401);
    });
  });

  it("detach revokes that attachment's tokens at once (whatever the L1 does), queues the L1 notice, and leaves others alone", async () => {
    const alice = await login(t, "alice");
    const bob = await login(t, "bob");
    const aliceA = tokenFrom((await attachRenderer(t.ctx, alice, L1_A)).location);
    const aliceB = tokenFrom((await attachRenderer(t.ctx, alice, L1_B)).location);
    const bobA = tokenFrom((await attachRenderer(t.ctx, bob, L1_A)).location);
    t.sentJobs.length = 0;

    expect(await detachRenderer(t.ctx, alice, L1_A)).toEqual({ l1_server: L1_A, attached: false, attached_at: null });
    expect((await introspectRendererToken(t.ctx, { token: aliceA, l1Server: L1_A })).status).toBe(401);
    expect((await introspectRendererToken(t.ctx, { token: aliceB, l1Server: L1_B })).status).toBe(200);
    expect((await introspectRendererToken(t.ctx, { token: bobA, l1Server: L1_A })).status).toBe(200);
    expect((await listRenderers(t.ctx, "alice")).find((r) => r.l1_server === L1_A)?.attached).toBe(false);
    expect((await listRenderers(t.ctx, "bob")).find((r) => r.l1_server === L1_A)?.attached).toBe(true);

    expect(t.sentJobs).toHaveLength(1);
    const job = t.sentJobs[0];
    expect(job).toMatchObject({ name: L1_NOTIFY_JOB, inTransaction: true });
    const payload = job.data as L1NotifyPayload;
    expect(payload.l1_server).toBe(L1_A);
    expect(payload.username).toBeNull();
    expect(payload.tokens).toContain(aliceA);
    expect(payload.tokens).not.toContain(bobA);
  });

  it("logout revokes the session and every token issued from it in one go, queues every L1, and removes the attachments", async () => {
    const carolGrant = await registerUser(t.ctx, { username: "carol", password: "password carol" }, { client: null });
    const claims = await verifySessionToken(t.ctx, carolGrant.access_token);
    if (!claims.ok) throw new Error("token");
    const carol: TokenCaller = { username: "carol", token: carolGrant.access_token, claims: claims.claims, via: "bearer" };
    const other = await login(t, "carol"); // another session of carol's, not logged out
    const a = tokenFrom((await attachRenderer(t.ctx, carol, L1_A)).location);
    const b = tokenFrom((await attachRenderer(t.ctx, carol, L1_B)).location);
    const fromOther = tokenFrom((await attachRenderer(t.ctx, other, L1_A)).location);
    t.sentJobs.length = 0;

    await logoutEverywhere(t.ctx, carol);

    expect(await verifySessionToken(t.ctx, carol.token)).toEqual({ ok: false, reason: "revoked" });
    expect((await introspectRendererToken(t.ctx, { token: a, l1Server: L1_A })).status).toBe(401);
    expect((await introspectRendererToken(t.ctx, { token: b, l1Server: L1_B })).status).toBe(401);
    // Tokens of another session are its own business (the L1 is still told revoke-user).
    expect((await introspectRendererToken(t.ctx, { token: fromOther, l1Server: L1_A })).status).toBe(200);
    expect(await listRenderers(t.ctx, "carol")).toEqual([
      { l1_server: L1_A, attached: false, attached_at: null },
      { l1_server: L1_B, attached: false, attached_at: null },
    ]);
    const payloads = t.sentJobs.map((j) => ({ ...(j.data as L1NotifyPayload), inTransaction: j.inTransaction }));
    expect(payloads).toEqual(
      expect.arrayContaining([
        { l1_server: L1_A, tokens: [a], username: "carol", inTransaction: true },
        { l1_server: L1_B, tokens: [b], username: "carol", inTransaction: true },
      ]),
    );
    expect(payloads).toHaveLength(2);
  });
});

describe("notifyL1", () => {
  let server: http.Server;
  let url: string;
  const received: { path: string; body: unknown }[] = [];
  let status = 200;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req
        .on("data", (c) => (body += c))
        .on("end", () => {
          received.push({ path: req.url ?? "", body: JSON.parse(body || "null") });
          res.writeHead(status, { "content-type": "application/json" }).end('{"revoked":true}');
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("posts each token to /auth/revoke and the username to /auth/revoke-user", async () => {
    const t = await createTestContext("pglite");
    try {
      await notifyL1(t.ctx, { l1_server: url, tokens: ["t1", "t2"], username: "carol" });
      expect(received).toEqual([
        { path: "/auth/revoke", body: { token: "t1" } },
        { path: "/auth/revoke", body: { token: "t2" } },
        { path: "/auth/revoke-user", body: { username: "carol" } },
      ]);
      status = 503;
      await expect(notifyL1(t.ctx, { l1_server: url, tokens: ["t3"], username: null })).rejects.toThrow("503");
      status = 404;
      await expect(notifyL1(t.ctx, { l1_server: url, tokens: ["t4"], username: null })).resolves.toBeUndefined();
      await expect(notifyL1(t.ctx, { l1_server: "http://127.0.0.1:1", tokens: ["t5"], username: null })).rejects.toThrow();
    } finally {
      await t.close();
    }
  });
});
