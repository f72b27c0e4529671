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
  beforeAll(async () => {
    t = await createTestContext(kind, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
    for (let i = 0; i < 3; i++) {
      const sink = http.createServer((req, res) => req.resume().on("end", () => {
        received.push(`${bases[i]}${req.url}`);
        res.writeHead(202).end();
      }));
      await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
      sinks.push(sink);
      bases.push(`http://127.0.0.1:${(sink.address() as AddressInfo).port}`);
    }
    // Four followers behind each host's shared inbox.
    await t.ctx.prisma.follower.createMany({
      data: bases.flatMap((base, h) =>
        Array.from({ length: 4 }, (_, i) => ({ username: "alice", actor: `${base}/users/f${h}-${i}`, inbox: `${base}/users/f${h}-${i}/inbox`, sharedInbox: `${base}/inbox` })),
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

  const deliverJobs = async () =>
    (await t.ctx.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${JOBS.deliver}`)[0].n;

  it("writes no job and no delivery for a rolled-back transaction", async () => {
    const jobs = await deliverJobs();
    await t.ctx.prisma
      .$transaction(async (tx) => {
        await enqueueDeliveries(t.ctx, tx, { url: "https://l2.test/activities/rolled-back", actor: "alice", body: "{}" }, [`${bases[0]}/inbox`, `${bases[1]}/inbox`]);
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
});
