// Jobs left `active` by a process that died (kill -9) are resumed at the next start on the embedded
// database (one process per data folder, so they can only be orphans), and left to their expiry on
// PostgreSQL (where another process may be running them).
import { afterEach, describe, expect, it } from "vitest";
import PgBoss from "pg-boss";
import { databaseKinds, openTestDatabase } from "@/lib/testing";
import type { Database } from "@/lib/db";
import { pgliteBossDb, resumeOrphanedJobs } from ".";

describe.each(databaseKinds)("resumeOrphanedJobs on %s", (kind) => {
  let boss: PgBoss | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await drop?.();
  });

  async function bossOn(db: Database): Promise<PgBoss> {
    const b = db.pglite
      ? new PgBoss({ db: pgliteBossDb(db.pglite), supervise: false, schedule: false })
      : new PgBoss({ connectionString: db.url!, max: 2, supervise: false, schedule: false });
    b.on("error", () => {});
    await b.start();
    return b;
  }

  it(
    kind === "pglite" ? "puts every active job back to run now, and leaves the others alone" : "changes nothing (other processes may be running those jobs)",
    async () => {
      const opened = await openTestDatabase(kind);
      drop = opened.drop;
      boss = await bossOn(opened.db);
      await boss.createQueue("probe", { name: "probe" });
      const running = await boss.send("probe", { n: 1 });
      const waiting = await boss.send("probe", { n: 2 }, { startAfter: 3600 });
      const taken = await boss.fetch("probe");
      expect(taken?.map((j) => j.id)).toEqual([running]);
      expect((await boss.getJobById("probe", running!))?.state).toBe("active");

      const resumed = await resumeOrphanedJobs(opened.db);
      if (kind === "pglite") {
        expect(resumed).toBe(1);
        expect((await boss.getJobById("probe", running!))?.state).toBe("retry");
        const again = await boss.fetch("probe");
        expect(
          again?.map((j) => j.id),
          "the orphan runs again at once",
        ).toEqual([running]);
      } else {
        expect(resumed).toBe(0);
        expect((await boss.getJobById("probe", running!))?.state).toBe("active");
      }
      expect((await boss.getJobById("probe", waiting!))?.state, "a job that was not running is untouched").toBe("created");
    },
  );

  it("is a no-op on a database the queue never started on", async () => {
    const opened = await openTestDatabase(kind);
    drop = opened.drop;
    expect(await resumeOrphanedJobs(opened.db)).toBe(0);
  });
});
