import type { PGlite } from "@electric-sql/pglite";

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
