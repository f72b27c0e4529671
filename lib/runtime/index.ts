// The process-wide runtime: configuration, the database, the JWT secret, the primary actor's keys
// and the job queue, started once per process (instrumentation.ts) and shared through globalThis so
// every bundle of the app (routes, pages, instrumentation) sees the same instance.
import { mkdir } from "node:fs/promises";
import type PgBoss from "pg-boss";
import { CACHE_PURGE_CHANNEL, deliverCachePurge, IN_PROCESS_PURGE_FEED, parsePurgePayload, setPurgeFeed } from "@/lib/cache";
import { ConfigError, getConfig } from "@/lib/config";
import type { AppContext } from "@/lib/context";
import { ensureActorKeyPair } from "@/lib/crypto";
import { DatabaseLockedError, openDatabase, type Database } from "@/lib/db";
import { getLogger } from "@/lib/log";
import { enableMetrics, setDatabaseFigures } from "@/lib/metrics";
import { countUnanchored, getAnchorStateCounts } from "@/lib/anchors";
import { bossJobSender, queueDepth, startJobs } from "@/lib/jobs";
import { resolveJwtSecret } from "@/lib/tokens";
import { checkReadiness, type Readiness } from "./readiness";

export type { Readiness } from "./readiness";

export interface Runtime {
  ctx: AppContext;
  db: Database;
  boss: PgBoss;
  /** False once the job queue has stopped (shutdown, or pg-boss gave up). */
  queueRunning(): boolean;
  stop(): Promise<void>;
}

const holder = globalThis as unknown as { __artdagRuntime?: Promise<Runtime> };

async function start(): Promise<Runtime> {
  const config = getConfig();
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = resolveJwtSecret(config);
  if (secret.source === "generated") {
    getLogger().warn({ component: "config" }, `JWT_SECRET is not set: generated one in ${secret.path} (keep it; tokens depend on it)`);
  }
  if (!config.databaseUrl) await mkdir(config.pgliteDir, { recursive: true });
  const db = await openDatabase({
    url: config.databaseUrl,
    pgliteDir: config.databaseUrl ? null : config.pgliteDir,
    migrate: config.migrateOnStart,
  });
  // PGlite lives in this process: its purge notifications are relayed to the front door's cache here
  // (on PostgreSQL the front door listens with its own connection, lib/cache listenForCachePurges).
  // Every write happens in this process then, so every purge reaches it: positive token
  // verifications may be answered from memory (lib/cache verifiedTokens).
  if (db.pglite) {
    await db.pglite.listen(CACHE_PURGE_CHANNEL, (payload) => deliverCachePurge(parsePurgePayload(payload)));
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
  }
  const { created } = await ensureActorKeyPair(config.keysDir, config.primaryUser);
  if (created) getLogger().info({ component: "keys" }, `created the key pair of ${config.primaryUser} in ${config.keysDir}`);
  let queue: PgBoss | null = null;
  const ctx: AppContext = {
    config,
    prisma: db.prisma,
    jwtSecret: new TextEncoder().encode(secret.secret),
    jobs: bossJobSender(() => queue),
    now: () => new Date(),
  };
  const boss = await startJobs(ctx, db);
  queue = boss;
  if (config.metrics.where !== "off") {
    // GET /metrics reads the queue's depth and the anchoring backlog from the database at each scrape.
    enableMetrics();
    setDatabaseFigures(async () => {
      const [jobs, anchors, unanchored] = await Promise.all([queueDepth(ctx), getAnchorStateCounts(ctx), countUnanchored(ctx)]);
      return { queue: jobs, anchorsPending: anchors.pending, activitiesUnanchored: unanchored };
    });
  }
  let queueStopped = false;
  boss.once("stopped", () => {
    queueStopped = true;
  });
  let stopping: Promise<void> | undefined;
  return {
    ctx,
    db,
    boss,
    queueRunning: () => !queueStopped,
    stop() {
      stopping ??= (async () => {
        await boss.stop({ graceful: true, timeout: 5000 }).catch(() => {});
        await db.close().catch(() => {});
      })();
      return stopping;
    },
  };
}

/** The process's runtime, started on first use. */
function getRuntime(): Promise<Runtime> {
  holder.__artdagRuntime ??= start();
  return holder.__artdagRuntime;
}

/** The application context of this process. */
export async function getContext(): Promise<AppContext> {
  return (await getRuntime()).ctx;
}

/** What GET /readyz answers: database, migrations and queue of this process (./readiness). */
export function readiness(): Promise<Readiness> {
  return checkReadiness(getRuntime());
}

/** Stops the queue and closes the database, if the runtime was started. */
export async function stopRuntime(): Promise<void> {
  const running = holder.__artdagRuntime;
  if (running) await (await running.catch(() => null))?.stop();
}

/** Starts the runtime at server start; on failure prints one line naming the problem and exits. */
export async function startRuntimeOrExit(): Promise<void> {
  try {
    await getRuntime();
  } catch (err) {
    const message = err instanceof ConfigError || err instanceof DatabaseLockedError ? err.message : `start-up failed: ${(err as Error).message}`;
    console.error(`artdag-l2: ${message}`);
    process.exit(1);
  }
}
