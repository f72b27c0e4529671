import { createHash } from "node:crypto";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEsplora, type EsploraStub } from "../../e2e/fixtures/esplora";
import { startOtsCalendar, type StubCalendar } from "../../e2e/fixtures/ots-calendar";
import { registerUser } from "@/lib/accounts";
import { JOBS, startJobs } from "@/lib/jobs";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out");
}

describe.each(databaseKinds)("the anchor job on %s", (kind) => {
  let t: TestContext;
  let boss: PgBoss;
  let esplora: EsploraStub;
  let cal: StubCalendar;

  beforeAll(async () => {
    esplora = await startEsplora();
    cal = await startOtsCalendar({ esploraUrl: esplora.url });
    t = await createTestContext(kind, { OTS_CALENDARS: cal.url, OTS_ESPLORA_URL: esplora.url, ANCHOR_INTERVAL_MINUTES: "0" });
    boss = await startJobs(t.ctx, t.db, { pollingIntervalSeconds: 0.5 });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await t?.close();
    await Promise.all([cal?.close(), esplora?.close()]);
  });

  it("is not scheduled when ANCHOR_INTERVAL_MINUTES is 0", async () => {
    expect((await boss.getSchedules()).map((s) => s.name)).not.toContain(JOBS.anchor);
  });

  it("anchors pending activities, then upgrades the anchor on a later run", async () => {
    const input = registerAssetInput.parse({ name: "job_art", content_hash: createHash("sha3-256").update("job_art").digest("hex"), asset_type: "image" });
    await registerAsset(t.ctx, "alice", input);
    await boss.send(JOBS.anchor, {});
    await until(async () => (await t.ctx.prisma.anchor.count({ where: { submittedAt: { not: null } } })) === 1);
    expect(await t.ctx.prisma.activity.count({ where: { anchorRoot: null } })).toBe(0);
    await cal.controls.mine();
    await boss.send(JOBS.anchor, {});
    await until(async () => (await t.ctx.prisma.anchor.count({ where: { state: "confirmed" } })) === 1);
  });
});
