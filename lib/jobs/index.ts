// The persisted job queue (pg-boss 10 on the app's own database) and the registration of every
// worker and schedule. Workers are thin: they call one domain function and are idempotent.
import PgBoss from "pg-boss";
import { ANCHOR_JOB, anchorPending, anchorSchedule, upgradeAnchors } from "@/lib/anchors";
import type { AppContext } from "@/lib/context";
import type { Database } from "@/lib/db";
import { cleanupRateLimitBuckets } from "@/lib/http/rate-limit";
import { cleanupMooAuthSeen } from "@/lib/clients";
import { cleanupInboxSeen, DELIVER_JOB, deliverPayload, MAX_DELIVERY_ATTEMPTS, performDelivery } from "@/lib/federation";
import { L1_NOTIFY_JOB, l1NotifyPayload, notifyL1 } from "@/lib/renderers";
import { cleanupExpiredIssuedTokens, cleanupExpiredRevocations } from "@/lib/tokens";
import { pgliteBossDb, prismaTxBossDb } from "./boss-db";

export { pgliteBossDb, prismaTxBossDb, type BossDb } from "./boss-db";

/** Every queue's name, in one place. */
export const JOBS = {
  /** Removes expired revocations, issued renderer tokens and stale rate-limit buckets. */
  cleanup: "cleanup",
  /** Tells an L1 about revoked tokens and logged-out users. */
  l1Notify: L1_NOTIFY_JOB,
  /** Delivers one activity to one inbox. */
  deliver: DELIVER_JOB,
  /** Anchors unanchored activities and upgrades pending anchors (OpenTimestamps). */
  anchor: ANCHOR_JOB,
} as const;

/** How often the cleanup runs (cron, minute granularity). */
export const CLEANUP_SCHEDULE = "*/15 * * * *";

export interface StartJobsOptions {
  /** Poll faster than pg-boss's 2 s default (tests). */
  pollingIntervalSeconds?: number;
}

/** Removes what has expired: revoked tokens past their expiry, rate-limit windows long closed. */
export async function runCleanup(
  ctx: AppContext,
): Promise<{ revocations: number; issuedTokens: number; rateLimitBuckets: number; inboxSeen: number; mooAuthSeen: number }> {
  return {
    revocations: await cleanupExpiredRevocations(ctx),
    issuedTokens: await cleanupExpiredIssuedTokens(ctx),
    rateLimitBuckets: await cleanupRateLimitBuckets(ctx),
    inboxSeen: await cleanupInboxSeen(ctx),
    mooAuthSeen: await cleanupMooAuthSeen(ctx),
  };
}

/** A JobSender on pg-boss: inside a Prisma transaction the job is written through it (outbox). */
export function bossJobSender(getBoss: () => PgBoss | null): AppContext["jobs"] {
  return {
    async send(name, data, options = {}) {
      const boss = getBoss();
      if (!boss) throw new Error("the job queue is not running");
      await boss.send(name, data, options.tx ? { db: prismaTxBossDb(options.tx) } : {});
    },
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
    if (Object.values(removed).some((n) => n > 0)) console.log("[jobs] cleanup removed", removed);
  });
  // An L1 that is down is retried for about a day: 5 s, 10 s, 20 s … capped by pg-boss at 12 attempts.
  await boss.createQueue(JOBS.l1Notify, { name: JOBS.l1Notify, retryLimit: 12, retryDelay: 5, retryBackoff: true });
  await boss.work(JOBS.l1Notify, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, batchSize: 1 }, async ([job]) => {
    await notifyL1(ctx, l1NotifyPayload.parse(job.data));
  });
  // Deliveries back off exponentially (10 s, 20 s, 40 s …); the delivery row counts the attempts.
  await boss.createQueue(JOBS.deliver, { name: JOBS.deliver, retryLimit: MAX_DELIVERY_ATTEMPTS, retryDelay: 10, retryBackoff: true });
  await boss.work(JOBS.deliver, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, batchSize: 1 }, async ([job]) => {
    await performDelivery(ctx, deliverPayload.parse(job.data).delivery_id);
  });
  // Anchoring every ANCHOR_INTERVAL_MINUTES (0: only on demand). No retries: the next run retries,
  // and a pg-boss singleton per tick keeps processes from stacking runs (the batcher also locks).
  await boss.createQueue(JOBS.anchor, { name: JOBS.anchor, retryLimit: 0, policy: "singleton" });
  const anchorCron = anchorSchedule(ctx.config.anchorIntervalMinutes);
  if (anchorCron) await boss.schedule(JOBS.anchor, anchorCron, {}, { tz: "UTC" });
  else await boss.unschedule(JOBS.anchor);
  await boss.work(JOBS.anchor, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, batchSize: 1 }, async () => {
    const anchored = await anchorPending(ctx);
    const upgraded = await upgradeAnchors(ctx);
    if (anchored.created.length > 0 || upgraded.changed > 0) console.log("[jobs] anchor", { batches: anchored.created.length, upgraded: upgraded.changed });
  });
  return boss;
}
