// GET /readyz's checks on a real database of each kind: ready when every committed migration is
// applied and the queue runs; otherwise the first thing missing, by name.
import type PgBoss from "pg-boss";
import { afterEach, describe, expect, it } from "vitest";
import { migrationList } from "@/lib/db";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import type { Runtime } from ".";
import { checkReadiness } from "./readiness";

describe.each(databaseKinds)("readiness on %s", (kind) => {
  let t: TestContext | null = null;
  afterEach(async () => {
    await t?.close().catch(() => {});
    t = null;
  });

  async function runtime(queueRunning = true): Promise<Runtime> {
    t = await createTestContext(kind);
    return { ctx: t.ctx, db: t.db, boss: null as unknown as PgBoss, queueRunning: () => queueRunning, stop: async () => {} };
  }

  it("is ready when the database answers, every migration is applied and the queue runs", async () => {
    const r = await runtime();
    expect(await checkReadiness(Promise.resolve(r))).toEqual({ ready: true, database: "ok", migrations: "current", queue: "running" });
  });

  it("names the migrations the database lacks", async () => {
    const r = await runtime();
    const names = (await migrationList()).migrationDirectories.map((d) => d.path);
    const last = names[names.length - 1];
    await r.ctx.prisma.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = ${last}`;
    expect(await checkReadiness(Promise.resolve(r))).toEqual({ ready: false, database: "ok", migrations: "pending", queue: "running", pending: [last] });
  });

  it("is not ready when the queue has stopped", async () => {
    const r = await runtime(false);
    expect(await checkReadiness(Promise.resolve(r))).toEqual({ ready: false, database: "ok", migrations: "current", queue: "stopped" });
  });

  it("is not ready when the database does not answer", async () => {
    const r = await runtime();
    await t!.db.close();
    expect(await checkReadiness(Promise.resolve(r))).toEqual({ ready: false, database: "unavailable", migrations: "unknown", queue: "running" });
  });

  it("is not ready while the runtime failed to start", async () => {
    expect(await checkReadiness(Promise.reject(new Error("no database")))).toEqual({
      ready: false,
      database: "starting",
      migrations: "unknown",
      queue: "starting",
    });
  });
});
