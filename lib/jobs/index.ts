// The persisted job queue (pg-boss 10 on the app's own database) and the registration of every
// worker and schedule. Workers are thin: they call one domain function and are idempotent.
import PgBoss from "pg-boss";
import type { AppContext } from "@/lib/context";
import type { Database } from "@/lib/db";
import { cleanupRateLimitBuckets } from "@/lib/http/rate-limit";
import { cleanupExpiredRevocations } from "@/lib/tokens";
import { pgliteBossDb } from "./boss-db";

export { pgliteBossDb, prismaTxBossDb, type BossDb } from "./boss-db";

/** Every queue's name, in one place. */
export const JOBS = {
  /** Removes expired revocations and stale rate-limit buckets. */
  cleanup: "cleanup",
} as const;

/** How often the cleanup runs (cron, minute granularity). */
export const CLEANUP_SCHEDULE = "*/15 * * * *";

export interface StartJobsOptions {
  /** Poll faster than pg-boss's 2 s default (tests). */
  pollingIntervalSeconds?: number;
}

/** Removes what has expired: revoked tokens past their expiry, rate-limit windows long closed. */
export async function runCleanup(ctx: AppContext): Promise<{ revocations: number; rateLimitBuckets: number }> {
  return {
    revocations: await cleanupExpiredRevocations(ctx),
    rateLimitBuckets: await cleanupRateLimitBuckets(ctx),
  };
}

/** Starts pg-boss on the database, creates the queues, schedules and workers. */
export async function startJobs(ctx: AppContext, db: Database, options: StartJobsOptions = {}): Promise<PgBoss> {
  const boss = db.pglite
    ? new PgBoss({ db: pgliteBossDb(db.pglite) })
    : new PgBoss({ connectionString: db.url ?? undefined, max: 4 });
  boss.on("error", (err) => console.error("[jobs]", err instanceof Error ? err.message : err));
  await boss.start();
  await boss.createQueue(JOBS.cleanup, { name: JOBS.cleanup, retryLimit: 2 });
  await boss.schedule(JOBS.cleanup, CLEANUP_SCHEDULE, {}, { tz: "UTC" });
  await boss.work(JOBS.cleanup, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async () => {
    const removed = await runCleanup(ctx);
    if (removed.revocations || removed.rateLimitBuckets) console.log("[jobs] cleanup removed", removed);
  });
  return boss;
}
