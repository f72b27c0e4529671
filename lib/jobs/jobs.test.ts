import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { issueToken, revokeToken, tokenHash } from "@/lib/tokens";
import { CLEANUP_SCHEDULE, JOBS, startJobs } from ".";

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

  it("schedules the cleanup", async () => {
    const schedules = await boss.getSchedules();
    expect(schedules).toEqual([expect.objectContaining({ name: JOBS.cleanup, cron: CLEANUP_SCHEDULE })]);
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
    await until(async () => (await t.ctx.prisma.revokedToken.count({ where: { tokenHash: tokenHash(expired.token) } })) === 0);
    await until(async () => (await t.ctx.prisma.rateLimitBucket.count({ where: { key: "login:old" } })) === 0);
    expect(await t.ctx.prisma.revokedToken.count({ where: { tokenHash: tokenHash(live.token) } })).toBe(1);
    expect(await t.ctx.prisma.rateLimitBucket.count({ where: { key: "login:new" } })).toBe(1);
  });
});
