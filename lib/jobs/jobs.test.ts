import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { issueToken, revokeToken, tokenHash } from "@/lib/tokens";
import { bossJobSender, CLEANUP_SCHEDULE, JOBS, queueDepth, startJobs } from ".";

async function until(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out");
}

describe.each(databaseKinds)("the job queue on %s", (kind) => {
  let t: TestContext;
  let boss: PgBoss;
  beforeAll(async () => {
    t = await createTestContext(kind);
    boss = await startJobs(t.ctx, t.db, { pollingIntervalSeconds: 0.5 });
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await t.close();
  });

  it("schedules the cleanup and the anchoring (ANCHOR_INTERVAL_MINUTES defaults to 60)", async () => {
    const schedules = await boss.getSchedules();
    expect(schedules).toHaveLength(2);
    expect(schedules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: JOBS.cleanup, cron: CLEANUP_SCHEDULE }),
        expect.objectContaining({ name: JOBS.anchor, cron: "0 */1 * * *" }),
      ]),
    );
  });

  it("reports its depth per queue and state, every queue of ours present (GET /metrics)", async () => {
    const before = await queueDepth(t.ctx);
    expect(before.map((r) => `${r.queue} ${r.state}`).sort()).toEqual(
      Object.values(JOBS)
        .flatMap((q) => [`${q} active`, `${q} created`, `${q} retry`])
        .sort(),
    );
    const createdBefore = before.find((r) => r.queue === JOBS.l1Notify && r.state === "created")!.count;
    await boss.send(JOBS.l1Notify, { l1_server: "http://l1.invalid", tokens: ["x"], username: null }, { startAfter: 3600 });
    await boss.send(JOBS.l1Notify, { l1_server: "http://l1.invalid", tokens: ["y"], username: null }, { startAfter: 3600 });
    const after = await queueDepth(t.ctx);
    expect(after.find((r) => r.queue === JOBS.l1Notify && r.state === "created")!.count).toBe(createdBefore + 2);
  });

  it("removes expired revocations and old rate-limit buckets when the cleanup job runs, and keeps live ones", async () => {
    const expired = await issueToken(t.ctx, { username: "alice", ttlSeconds: 60 });
    const live = await issueToken(t.ctx, { username: "alice", ttlSeconds: 3600 });
    await revokeToken(t.ctx, expired.token, { username: "alice", exp: Math.floor(Date.now() / 1000) - 10 });
    await revokeToken(t.ctx, live.token, live.claims);
    await t.ctx.prisma.rateLimitBucket.createMany({
      data: [
        { key: "login:old", windowStart: new Date(Date.now() - 2 * 24 * 3600 * 1000), count: 3 },
        { key: "login:new", windowStart: new Date(), count: 1 },
      ],
    });
    await boss.send(JOBS.cleanup, {});
    await until(async () => (await t.ctx.prisma.revokedToken.count({ where: { tokenHash: tokenHash(expired.token) } })) === 0, 45_000);
    await until(async () => (await t.ctx.prisma.rateLimitBucket.count({ where: { key: "login:old" } })) === 0, 45_000);
    expect(await t.ctx.prisma.revokedToken.count({ where: { tokenHash: tokenHash(live.token) } })).toBe(1);
    expect(await t.ctx.prisma.rateLimitBucket.count({ where: { key: "login:new" } })).toBe(1);
  }, 60_000);

  it("delivers a queued L1 notice, retrying while the L1 fails, and commits a job only with its transaction", async () => {
    const received: string[] = [];
    let failuresLeft = 1;
    const l1 = http.createServer((req, res) => {
      let body = "";
      req
        .on("data", (c) => (body += c))
        .on("end", () => {
          if (failuresLeft-- > 0) return void res.writeHead(503).end();
          received.push(`${req.url} ${body}`);
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        });
    });
    await new Promise<void>((r) => l1.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(l1.address() as { port: number }).port}`;
    try {
      const jobs = bossJobSender(() => boss);
      await t.ctx.prisma
        .$transaction(async (tx) => {
          await jobs.send(JOBS.l1Notify, { l1_server: url, tokens: ["rolled-back"], username: null }, { tx });
          throw new Error("abort");
        })
        .catch(() => {});
      await t.ctx.prisma.$transaction((tx) => jobs.send(JOBS.l1Notify, { l1_server: url, tokens: ["tok"], username: "ann" }, { tx }));
      await until(async () => received.length === 2, 30_000);
      expect(received).toEqual(['/auth/revoke {"token":"tok"}', '/auth/revoke-user {"username":"ann"}']);
      expect(failuresLeft).toBeLessThan(0); // the first attempt failed and was retried
    } finally {
      await new Promise<void>((r) => l1.close(() => r()));
    }
  }, 45_000);
});

describe.each(databaseKinds.filter((k) => k === "postgres"))("replicas starting together on %s", (kind) => {
  it("set the queue up one at a time: none fails with a deadlock on a fresh database", async () => {
    const t = await createTestContext(kind);
    const started: PgBoss[] = [];
    try {
      // Four processes' worth of pg-boss, started at the same moment on one new database.
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => startJobs(t.ctx, t.db, { pollingIntervalSeconds: 0.5 })));
      for (const r of results) if (r.status === "fulfilled") started.push(r.value);
      expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "started"))).toEqual(["started", "started", "started", "started"]);
      const queues = await t.ctx.prisma.$queryRaw<{ name: string }[]>`SELECT name FROM pgboss.queue ORDER BY name`;
      expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining(Object.values(JOBS)));
    } finally {
      await Promise.all(started.map((b) => b.stop({ graceful: false, wait: true })));
      await t.close();
    }
  }, 60_000);
});
