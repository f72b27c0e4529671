// The database: one PostgreSQL schema served by embedded PGlite (default) or a real PostgreSQL
// (DATABASE_URL), both through Prisma driver adapters. Owns opening, migrating and closing; the
// process-wide instance lives in lib/runtime.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/generated/prisma/client";
import { getLogger } from "@/lib/log";
import { lockDatabaseFolder, type FolderLock } from "./folder-lock";
import { applyMigrations } from "./migrate";

export { Prisma, PrismaClient } from "@/generated/prisma/client";
export { applyMigrations, migrationFilters, migrationList, migrationsDir, withSchemaEngine } from "./migrate";
export { DatabaseLockedError, lockDatabaseFolder, type FolderLock, type LockHolder } from "./folder-lock";
export { isDatabaseUnavailable } from "./errors";

/**
 * How long a request waits for a PostgreSQL connection before it fails (and answers 503): while the
 * server is down or restarting, requests answer within this bound instead of hanging.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface Database {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** The embedded instance, shared with the job queue (one PGlite per data folder and process). */
  pglite: PGlite | null;
  /** The connection string, for the job queue's own pool on PostgreSQL. */
  url: string | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgresql:// URL; when absent the embedded database is used. */
  url?: string | null;
  /** PGlite data folder; null or absent means in memory (tests). */
  pgliteDir?: string | null;
  migrate?: boolean;
  /** Pool size on PostgreSQL. */
  maxConnections?: number;
  /** PostgreSQL: how long to wait for a connection (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
}

/** A transaction client or the client itself: what domain functions write through. */
export type Db = PrismaClient;

/**
 * Applies the migrations on PostgreSQL through a pool of exactly one connection, closed afterwards.
 * The schema engine serialises migrators with a session-level advisory lock (pg_advisory_lock, then
 * pg_advisory_unlock): on a shared pool the unlock may run on another connection and fail, leaving
 * the lock held by an idle connection of this process, so a second replica starting on the same
 * database times out waiting for it.
 */
async function migratePostgres(url: string, connectTimeoutMs: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: connectTimeoutMs });
  pool.on("error", () => {});
  try {
    await applyMigrations(new PrismaPg(pool));
  } finally {
    await pool.end().catch(() => {});
  }
}

/** Opens (and by default migrates) a database. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const migrate = opts.migrate ?? true;
  if (opts.url) {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.maxConnections ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      // Idle connections are dropped and remade, so a restarted server is reconnected to lazily.
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    });
    // An idle connection cut by the server (restart, outage) is reported here; without a listener
    // the pool's 'error' event would end the process. The pool discards that client by itself.
    pool.on("error", (err) => getLogger().warn({ component: "db" }, `an idle connection was lost: ${err.message}`));
    try {
      if (migrate) await migratePostgres(opts.url, opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
      const factory = new PrismaPg(pool);
      const prisma = new PrismaClient({ adapter: factory });
      return {
        prisma,
        kind: "postgres",
        pglite: null,
        url: opts.url,
        async close() {
          await prisma.$disconnect();
          await pool.end().catch(() => {});
        },
      };
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
  }
  // Every opener of a folder takes its lock first (servers and scripts alike): one process per folder.
  const lock: FolderLock | null = opts.pgliteDir ? await lockDatabaseFolder(opts.pgliteDir) : null;
  let pglite: PGlite;
  try {
    pglite = opts.pgliteDir ? await PGlite.create(opts.pgliteDir) : await PGlite.create();
  } catch (err) {
    await lock?.release();
    throw err;
  }
  try {
    const factory = new PrismaPGlite(pglite);
    if (migrate) await applyMigrations(factory);
    const prisma = new PrismaClient({ adapter: factory });
    return {
      prisma,
      kind: "pglite",
      pglite,
      url: null,
      async close() {
        try {
          await prisma.$disconnect();
          if (!pglite.closed) await pglite.close();
        } finally {
          await lock?.release();
        }
      },
    };
  } catch (err) {
    await pglite.close().catch(() => {});
    await lock?.release();
    throw err;
  }
}

/** True for Prisma's unique-constraint violation (P2002, or P2010 from a raw query). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, meta } = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (code === "P2002") return true;
  // A raw query (P2010) reports the driver's error as it came: a unique violation is named there.
  return code === "P2010" && meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}
