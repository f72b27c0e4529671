// What GET /readyz reports: whether this process can serve (the database answers, every committed
// migration is applied, the job queue runs). Cheap enough for a load balancer's probe every few
// seconds: one query, the migration folder read once per process.
import { migrationList } from "@/lib/db";
import type { Runtime } from ".";

/** How long a probe waits for the runtime to start or the database to answer. */
const PROBE_TIMEOUT_MS = 3000;

export interface Readiness {
  ready: boolean;
  database: "ok" | "unavailable" | "starting";
  migrations: "current" | "pending" | "unknown";
  queue: "running" | "stopped" | "starting";
  /** Committed migrations the database has not applied (when `migrations` is "pending"). */
  pending?: string[];
}

let committed: Promise<string[]> | null = null;
function committedMigrations(): Promise<string[]> {
  committed ??= migrationList().then((list) => list.migrationDirectories.map((d) => d.path));
  return committed;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Checks the runtime (`runtime` resolves once it has started; it may still be starting). */
export async function checkReadiness(runtime: Promise<Runtime>): Promise<Readiness> {
  const started = await withTimeout(
    runtime.catch(() => null),
    PROBE_TIMEOUT_MS,
  );
  if (started === "timeout" || started === null) {
    return { ready: false, database: "starting", migrations: "unknown", queue: "starting" };
  }
  const queue = started.queueRunning() ? "running" : "stopped";
  const applied = await withTimeout(
    started.ctx.prisma.$queryRaw<
      { name: string }[]
    >`SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`
      .then((rows) => new Set(rows.map((r) => r.name)))
      .catch(() => null),
    PROBE_TIMEOUT_MS,
  );
  if (applied === "timeout" || applied === null) return { ready: false, database: "unavailable", migrations: "unknown", queue };
  const pending = (await committedMigrations()).filter((name) => !applied.has(name));
  const migrations = pending.length === 0 ? "current" : "pending";
  return {
    ready: migrations === "current" && queue === "running",
    database: "ok",
    migrations,
    queue,
    ...(pending.length > 0 ? { pending } : {}),
  };
}
