// The persisted job queue (pg-boss 10 on the app's own database) and the registration of every
// worker and schedule. Workers are thin: they call one domain function and are idempotent.
import pg from "pg";
import PgBoss from "pg-boss";
import { ANCHOR_JOB, anchorPending, anchorSchedule, upgradeAnchors } from "@/lib/anchors";
import type { AppContext } from "@/lib/context";
import { CONNECT_TIMEOUT_MS, type Database } from "@/lib/db";
import { cleanupRateLimitBuckets } from "@/lib/http";
import { cleanupMooAuthSeen } from "@/lib/clients";
import { cleanupInboxSeen, DELIVER_JOB, deliverPayload, MAX_DELIVERY_ATTEMPTS, performDeliveries } from "@/lib/federation";
import { errorMessage, getLogger } from "@/lib/log";
import { L1_NOTIFY_JOB, l1NotifyPayload, notifyL1 } from "@/lib/renderers";
import { cleanupExpiredIssuedTokens, cleanupExpiredRevocations } from "@/lib/tokens";
import { pgliteBossDb, postgresBossDb, prismaTxBossDb } from "./boss-db";

export { pgliteBossDb, postgresBossDb, type BossDb } from "./boss-db";

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

/**
 * A delivery job still active after this long is taken for dead (its process was killed) and
 * retried by the queue's maintenance. One delivery takes at most two 15 s requests (the double
 * knock), so this leaves ample room; a batch runs its deliveries side by side.
 */
const DELIVERY_EXPIRE_SECONDS = 60;
/** Deliveries a worker takes at once (sent concurrently, each completed or failed on its own). */
const DELIVERY_BATCH_SIZE = 10;
/** How often pg-boss looks for expired jobs (and archives finished ones). */
const MAINTENANCE_INTERVAL_SECONDS = 30;

export interface StartJobsOptions {
  /** Poll faster than pg-boss's 2 s default (tests). */
  pollingIntervalSeconds?: number;
}

/** Removes what has expired: revoked tokens past their expiry, rate-limit windows long closed. */
async function runCleanup(
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
    async sendMany(name, data, options = {}) {
      const boss = getBoss();
      if (!boss) throw new Error("the job queue is not running");
      if (data.length === 0) return;
      // One INSERT for all; each job takes its queue's retry and expiry settings, as send does.
      await boss.insert(
        data.map((d) => ({ name, data: d })),
        options.tx ? { db: prismaTxBossDb(options.tx) } : {},
      );
    },
  };
}

/**
 * On the embedded database, which one process at a time opens, every job still `active` at start
 * belongs to a process that died (kill -9, power loss) before finishing it: it is put back to run
 * now, rather than wait for its expiry. (On PostgreSQL other processes may be running their jobs,
 * so there the expiry decides.) Returns how many jobs were resumed.
 */
export async function resumeOrphanedJobs(db: Database): Promise<number> {
  if (!db.pglite) return 0;
  const exists = await db.pglite.query<{ ok: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS ok");
  if (!exists.rows[0]?.ok) return 0;
  const resumed = await db.pglite.query("UPDATE pgboss.job SET state = 'retry', start_after = now() WHERE state = 'active'");
  return resumed.affectedRows ?? 0;
}

/**
 * Jobs not finished, per queue of ours and state (created, retry, active): the queue's depth, for
 * GET /metrics. pg-boss 10 keeps every queue's jobs in `pgboss.job` (one partition per queue).
 */
export async function queueDepth(ctx: Pick<AppContext, "prisma">): Promise<{ queue: string; state: string; count: number }[]> {
  const rows = await ctx.prisma.$queryRaw<{ name: string; state: string; count: number }[]>`
    SELECT name, state::text AS state, count(*)::int AS count FROM pgboss.job
    WHERE state IN ('created', 'retry', 'active') GROUP BY name, state ORDER BY name, state`;
  // Every queue and state is reported, at 0 when empty, so a graph has no gaps.
  const counts = new Map(rows.map((r) => [`${r.name} ${r.state}`, Number(r.count)]));
  return Object.values(JOBS).flatMap((queue) =>
    (["created", "retry", "active"] as const).map((state) => ({ queue, state, count: counts.get(`${queue} ${state}`) ?? 0 })),
  );
}

/** The advisory lock under which a process sets the queue up on PostgreSQL ("ArtD"). */
const JOBS_SETUP_LOCK = 0x41727444;

/** Runs `work` holding JOBS_SETUP_LOCK on its own connection (PostgreSQL); on PGlite, one process: as is. */
async function withSetupLock(db: Database, work: () => Promise<void>): Promise<void> {
  if (db.pglite || !db.url) return work();
  const client = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: "artdag-jobs-setup" });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [JOBS_SETUP_LOCK]);
    await work();
  } finally {
    // Closing the connection releases the lock in any case.
    await client.end().catch(() => {});
  }
}

/** Starts pg-boss on the database, creates the queues, schedules and workers. */
export async function startJobs(ctx: AppContext, db: Database, options: StartJobsOptions = {}): Promise<PgBoss> {
  let stopping = false;
  // pg-boss's own pool on PostgreSQL: bounded connection waits, and a lost idle connection is
  // logged rather than fatal (an 'error' event without a listener ends the process).
  const pool = db.pglite
    ? null
    : new pg.Pool({
        connectionString: db.url ?? undefined,
        max: 4,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        application_name: "pgboss",
      });
  pool?.on("error", (err) => getLogger().warn({ component: "jobs" }, `an idle connection was lost: ${err.message}`));
  const boss = new PgBoss({
    db: db.pglite ? pgliteBossDb(db.pglite) : postgresBossDb(pool!, { stopping: () => stopping }),
    maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
  });
  boss.on("error", (err) => getLogger().error({ component: "jobs", err }, `the queue reported an error: ${errorMessage(err)}`));
  // stop() never closes a custom db: the pool goes once the queue has stopped.
  boss.once("stopped", () => void pool?.end().catch(() => {}));
  const stop = boss.stop.bind(boss);
  boss.stop = (stopOptions) => {
    stopping = true;
    return stop(stopOptions);
  };
  const resumed = await resumeOrphanedJobs(db);
  if (resumed > 0) getLogger().info({ component: "jobs", resumed }, `resumed ${resumed} job(s) left running by a process that stopped without finishing them`);
  // Replicas starting together on a fresh PostgreSQL deadlock in pg-boss's create_queue (seen with
  // two containers of one compose stack): the queue's setup is done one process at a time.
  await withSetupLock(db, async () => {
    await boss.start();
    await boss.createQueue(JOBS.cleanup, { name: JOBS.cleanup, retryLimit: 2 });
    await boss.schedule(JOBS.cleanup, CLEANUP_SCHEDULE, {}, { tz: "UTC" });
    await boss.work(JOBS.cleanup, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async () => {
      const removed = await runCleanup(ctx);
      if (Object.values(removed).some((n) => n > 0)) getLogger().info({ component: "jobs", removed }, "cleanup removed expired rows");
    });
    // An L1 that is down is retried for about a day: 5 s, 10 s, 20 s … capped by pg-boss at 12 attempts.
    await boss.createQueue(JOBS.l1Notify, { name: JOBS.l1Notify, retryLimit: 12, retryDelay: 5, retryBackoff: true });
    await boss.work(JOBS.l1Notify, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, batchSize: 1 }, async ([job]) => {
      await notifyL1(ctx, l1NotifyPayload.parse(job.data));
    });
    // Deliveries back off exponentially (10 s, 20 s, 40 s …); the delivery row counts the attempts.
    const deliverQueue = { retryLimit: MAX_DELIVERY_ATTEMPTS, retryDelay: 10, retryBackoff: true, expireInSeconds: DELIVERY_EXPIRE_SECONDS };
    await boss.createQueue(JOBS.deliver, { name: JOBS.deliver, ...deliverQueue });
    await boss.updateQueue(JOBS.deliver, { name: JOBS.deliver, policy: "standard", ...deliverQueue });
    await boss.work(JOBS.deliver, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, batchSize: DELIVERY_BATCH_SIZE }, async (jobs) => {
      // Side by side (one read and one write of the rows for the batch), each with its own outcome:
      // the ones to retry are failed here (retried with backoff), and pg-boss completes the rest (it
      // only completes jobs still active).
      const ids = jobs.map((job) => deliverPayload.parse(job.data).delivery_id);
      let retry: Map<number, Error>;
      try {
        retry = await performDeliveries(ctx, ids, { concurrency: DELIVERY_BATCH_SIZE });
      } catch (batchError) {
        // The batch's read or outcome write failed (a database hiccup): rather than fail all ten
        // jobs (each would lose an attempt and back off), run each on its own, so only the ones
        // whose own statements fail are retried. Idempotent: a row already delivered is skipped.
        getLogger().warn({ component: "jobs" }, `a delivery batch failed (${errorMessage(batchError)}); retrying its deliveries one by one`);
        retry = new Map();
        const settled = await Promise.allSettled(ids.map((id) => performDeliveries(ctx, [id])));
        settled.forEach((s, i) => {
          const reason = s.status === "fulfilled" ? s.value.get(ids[i]) : s.reason instanceof Error ? s.reason : new Error(String(s.reason));
          if (reason) retry.set(ids[i], reason);
        });
      }
      for (const [i, job] of jobs.entries()) {
        const reason = retry.get(ids[i]);
        if (reason) await boss.fail(JOBS.deliver, job.id, { message: reason.message.slice(0, 2000) });
      }
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
      if (anchored.created.length > 0 || upgraded.changed > 0) {
        getLogger().info({ component: "jobs", batches: anchored.created.length, upgraded: upgraded.changed }, "anchoring ran");
      }
    });
  });
  return boss;
}
