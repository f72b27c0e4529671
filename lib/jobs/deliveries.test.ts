// Deliveries through the real queue: the jobs of a claim's deliveries are written in one statement
// inside its transaction (none for a rolled-back one), and the worker sends one request per shared
// inbox and marks every row delivered.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { enqueueDeliveries } from "@/lib/federation";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { bossJobSender, JOBS, startJobs } from ".";

async function until(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out");
}

const hash = (s: string) => createHash("sha3-256").update(s).digest("hex");

describe.each(databaseKinds)("deliveries through the queue on %s", (kind) => {
  let t: TestContext;
  let boss: PgBoss;
  const received: string[] = [];
  const sinks: http.Server[] = [];
  const bases: string[] = [];
  /** An inbox whose delivery row is deleted while it is being sent (answers 500 after). */
  let vanishing = "";
  beforeAll(async () => {
    t = await createTestContext(kind, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
    for (let i = 0; i < 3; i++) {
      const sink = http.createServer((req, res) =>
        req.resume().on("end", () => {
          received.push(`${bases[i]}${req.url}`);
          res.writeHead(202).end();
        }),
      );
      await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
      sinks.push(sink);
      bases.push(`http://127.0.0.1:${(sink.address() as AddressInfo).port}`);
    }
    const vanishingSink = http.createServer((req, res) =>
      req.resume().on("end", async () => {
        await t.ctx.prisma.delivery.deleteMany({ where: { target: `${vanishing}${req.url}` } });
        res.writeHead(500).end();
      }),
    );
    await new Promise<void>((r) => vanishingSink.listen(0, "127.0.0.1", r));
    sinks.push(vanishingSink);
    vanishing = `http://127.0.0.1:${(vanishingSink.address() as AddressInfo).port}`;
    // Four followers behind each host's shared inbox.
    await t.ctx.prisma.follower.createMany({
      data: bases.flatMap((base, h) =>
        Array.from({ length: 4 }, (_, i) => ({
          username: "alice",
          actor: `${base}/users/f${h}-${i}`,
          inbox: `${base}/users/f${h}-${i}/inbox`,
          sharedInbox: `${base}/inbox`,
        })),
      ),
    });
    boss = await startJobs(t.ctx, t.db, { pollingIntervalSeconds: 0.5 });
    t.ctx.jobs = bossJobSender(() => boss);
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    for (const sink of sinks) sink.closeAllConnections();
    await Promise.all(sinks.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await t.close();
  });

  const deliverJobs = async () => (await t.ctx.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${JOBS.deliver}`)[0].n;

  it("writes no job and no delivery for a rolled-back transaction", async () => {
    const jobs = await deliverJobs();
    await t.ctx.prisma
      .$transaction(async (tx) => {
        await enqueueDeliveries(t.ctx, tx, { url: "https://l2.test/activities/rolled-back", actor: "alice", body: "{}" }, [
          `${bases[0]}/inbox`,
          `${bases[1]}/inbox`,
        ]);
        throw new Error("abort");
      })
      .catch(() => {});
    expect(await deliverJobs()).toBe(jobs);
    expect(await t.ctx.prisma.delivery.count({ where: { activityUrl: "https://l2.test/activities/rolled-back" } })).toBe(0);
  });

  it("sends a claim once to each shared inbox and marks every delivery delivered", async () => {
    const jobs = await deliverJobs();
    const { activity } = await registerAsset(t.ctx, "alice", registerAssetInput.parse({ name: "queued", content_hash: hash("queued"), asset_type: "image" }));
    expect(await deliverJobs()).toBe(jobs + 3);
    await until(async () => (await t.ctx.prisma.delivery.count({ where: { activityUrl: activity.id, state: "delivered" } })) === 3);
    expect(received.sort()).toEqual(bases.map((b) => `${b}/inbox`).sort());
    const rows = await t.ctx.prisma.delivery.findMany({ where: { activityUrl: activity.id } });
    for (const r of rows) expect(r).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 202 });
  }, 45_000);

  it("a batch whose outcome write fails: the other deliveries are still marked delivered at once, without losing an attempt", async () => {
    // The vanishing inbox's row is gone when the batch writes its 500 outcome, so the batched
    // transaction fails; each delivery is then run on its own.
    const url = "https://l2.test/activities/batch-fallback";
    const targets = [`${bases[0]}/inbox`, `${vanishing}/inbox`, `${bases[1]}/inbox`];
    const before = received.length;
    await t.ctx.prisma.$transaction((tx) => enqueueDeliveries(t.ctx, tx, { url, actor: "alice", body: "{}" }, targets));
    await until(async () => (await t.ctx.prisma.delivery.count({ where: { activityUrl: url, state: "delivered" } })) === 2);
    const rows = await t.ctx.prisma.delivery.findMany({ where: { activityUrl: url }, orderBy: { target: "asc" } });
    expect(rows.map((r) => [r.target, r.state, r.attempts, r.lastStatus])).toEqual(
      [`${bases[0]}/inbox`, `${bases[1]}/inbox`].sort().map((target) => [target, "delivered", 1, 202]),
    );
    expect(received.slice(before).filter((r) => r.startsWith(bases[0]) || r.startsWith(bases[1])).length).toBeGreaterThanOrEqual(2);
    // Their jobs completed on the first try (none waits in `retry` with an attempt spent).
    const ids = rows.map((r) => r.id);
    await until(async () => {
      const jobs = await t.ctx.prisma.$queryRaw<
        { state: string }[]
      >`SELECT state::text FROM pgboss.job WHERE name = ${JOBS.deliver} AND (data->>'delivery_id')::int = ANY(${ids})`;
      return jobs.length === 2 && jobs.every((j) => j.state === "completed");
    });
    const jobs = await t.ctx.prisma.$queryRaw<
      { state: string; retry_count: number }[]
    >`SELECT state::text, retry_count FROM pgboss.job WHERE name = ${JOBS.deliver} AND (data->>'delivery_id')::int = ANY(${ids})`;
    expect(jobs).toEqual([
      { state: "completed", retry_count: 0 },
      { state: "completed", retry_count: 0 },
    ]);
  }, 45_000);
});
