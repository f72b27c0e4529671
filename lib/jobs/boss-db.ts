import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { isDatabaseUnavailable } from "@/lib/db";

/** What pg-boss 10 calls on a custom `db`: one method, reading `.rows`. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * pg-boss on the PGlite instance Prisma uses (notes/toolchain.md §8). Parameterised statements go
 * to query(); pg-boss's parameterless `BEGIN; …; COMMIT;` scripts run inside pg.transaction() so a
 * failure is rolled back while PGlite's mutex is still held (a bare exec would poison the connection).
 */
export function pgliteBossDb(pg: PGlite): BossDb {
  return {
    async executeSql(text, values) {
      if (values?.length) return pg.query(text, values);
      const m = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/i.exec(text);
      const results = m ? await pg.transaction((tx) => tx.exec(m[1])) : await pg.exec(text);
      return { rows: results.flatMap((r) => r.rows) };
    },
  };
}

/**
 * pg-boss calls made inside a Prisma interactive transaction must go through it: a plain send would
 * wait on PGlite's mutex until the transaction times out, and on PostgreSQL would not be atomic.
 */
export function prismaTxBossDb(tx: { $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T> }): BossDb {
  return {
    async executeSql(text, values = []) {
      return { rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) };
    },
  };
}

export interface PostgresBossDbOptions {
  /** True once the queue is stopping: retries end at once. */
  stopping(): boolean;
  /** How long a statement is retried while the database is unreachable (default 60 s). */
  retryForMs?: number;
}

/**
 * pg-boss on its own PostgreSQL pool, riding out a database restart or outage. pg-boss 10 does not
 * await the statement that completes or fails a finished job: if it rejects, the rejection is
 * unhandled (fatal in plain Node) and the job stays active until it expires, to be run again. So a
 * statement that fails because the database is unreachable is retried (0.5 s, 1 s, 2 s … 5 s) for
 * up to `retryForMs`; the worker loops and the maintenance wait meanwhile instead of spinning.
 * Only "unreachable" errors are retried: the statement did not run, or (connection cut mid-way)
 * pg-boss's own statements are safe to repeat (completing or failing a job is guarded by its state).
 */
export function postgresBossDb(pool: pg.Pool, options: PostgresBossDbOptions): BossDb {
  const retryForMs = options.retryForMs ?? 60_000;
  return {
    async executeSql(text, values) {
      const deadline = Date.now() + retryForMs;
      for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
        try {
          return await pool.query(text, values);
        } catch (err) {
          if (!isDatabaseUnavailable(err) || options.stopping() || Date.now() + delay > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },
  };
}
