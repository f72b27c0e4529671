// Part of `npm run bench`: fills data folders with N assets for the GET /assets measurements, before a
// server is started on them (PGlite is single-process). Run as a child process of scripts/bench.ts
// (options over IPC, result back); run directly (`npx tsx scripts/bench/seed.ts DIR N`) it prints JSON.
//
// Each folder gets the server's layout ({dir}/pglite), migrated by openDatabase from lib/db, then in
// bulk with SQL: one user, N `Create` activities (short ~250 B bodies: the list never reads them)
// and N assets, ids 1..N in registration order. FK triggers are off and the secondary indexes are
// dropped during the load and rebuilt from their own definitions after it, then every row's FKs are
// checked with a join and the tables analysed. EXPLAIN ANALYZE of the list queries, in the shape
// Prisma sends them for listAssets, is captured at the end, and listAssets() itself is timed in
// process for both pages (what a GET /assets costs without HTTP and Next).
import { mkdirSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../lib/config";
import type { AppContext } from "../../lib/context";
import { openDatabase } from "../../lib/db";
import { listAssets, listAssetsQuery } from "../../lib/registry";

export interface SeedSet {
  dir: string;
  count: number;
}

export interface SeedOptions {
  sets: SeedSet[];
  /** The page size measured (the query asks for one more row). */
  limit: number;
  /** How long to time listAssets() in process, per page, in milliseconds. */
  timeMs: number;
}

export interface SeededSet {
  dir: string;
  count: number;
  seedMs: number;
  /** The cursor of the page measured "deep in the list" (an asset id, as the server hands them out). */
  deepCursor: number;
  explain: { first: string[]; deep: string[]; activities: string[] };
  /** listAssets() called in process (Prisma, no HTTP), mean ms per call. */
  inProcessMs: { first: number; deep: number };
}

export const BENCH_OWNER = "bench_owner";

/** The columns Prisma selects for listAssets (assetSelect + id), as it sends them. */
const ASSET_COLUMNS = ["id", "name", "content_hash", "asset_type", "tags", "metadata", "url", "ipfs_cid", "owner", "provenance", "created_at", "activity_id"]
  .map((c) => `"public"."assets"."${c}"`)
  .join(", ");

export function deepCursorFor(count: number): number {
  return Math.floor(count / 2) + 1;
}

async function timeListAssets(ctx: AppContext, query: Record<string, string>, timeMs: number): Promise<number> {
  const q = listAssetsQuery.parse(query);
  for (let i = 0; i < 20; i++) await listAssets(ctx, q);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < timeMs) {
    await listAssets(ctx, q);
    n++;
  }
  return (performance.now() - start) / n;
}

async function seedOne(set: SeedSet, limit: number, timeMs: number): Promise<SeededSet> {
  const started = performance.now();
  const pgliteDir = path.join(set.dir, "pglite");
  mkdirSync(pgliteDir, { recursive: true });
  const db = await openDatabase({ pgliteDir });
  try {
    const pg = db.pglite;
    if (!pg) throw new Error("expected the embedded database");
    const n = set.count;
    const indexes = (
      await pg.query<{ name: string; def: string }>(
        `SELECT indexname AS name, indexdef AS def FROM pg_indexes
         WHERE schemaname = 'public' AND tablename IN ('assets', 'activities') AND indexname NOT LIKE '%\\_pkey'`,
      )
    ).rows;
    await pg.exec(`SET session_replication_role = replica`); // no FK triggers during the load
    for (const ix of indexes) await pg.exec(`DROP INDEX public."${ix.name}"`);
    await pg.query(`INSERT INTO users (username, password_hash) VALUES ($1, 'bench: no password')`, [BENCH_OWNER]);
    await pg.query(
      `INSERT INTO activities (id, index, type, actor, body, published)
       SELECT md5('bench-activity-' || g)::uuid, g, 'Create', $1,
              '{"type":"Create","bench":' || g || ',"pad":"' || repeat('x', 200) || '"}',
              now() - make_interval(secs => $2::int - g)
       FROM generate_series(1, $2::int) g`,
      [BENCH_OWNER, n],
    );
    await pg.query(
      `INSERT INTO assets (id, name, content_hash, asset_type, tags, metadata, owner, activity_id, created_at)
       SELECT g, 'bench-' || g, encode(sha256(convert_to('bench-' || g, 'UTF8')), 'hex'), 'image', ARRAY['bench'], '{}',
              $1, md5('bench-activity-' || g)::uuid, now() - make_interval(secs => $2::int - g)
       FROM generate_series(1, $2::int) g`,
      [BENCH_OWNER, n],
    );
    await pg.query(`SELECT setval(pg_get_serial_sequence('assets', 'id'), $1)`, [n]);
    for (const ix of indexes) await pg.exec(ix.def);
    await pg.exec(`SET session_replication_role = DEFAULT`);
    const check = await pg.query<{ assets: number; joined: number; max: number }>(
      `SELECT (SELECT count(*)::int FROM assets) AS assets,
              (SELECT count(*)::int FROM assets a JOIN activities v ON v.id = a.activity_id AND v.actor = a.owner
                                                JOIN users u ON u.username = a.owner) AS joined,
              (SELECT max(id) FROM assets) AS max`,
    );
    const c = check.rows[0];
    if (c.assets !== n || c.joined !== n || c.max !== n) throw new Error(`seeding ${n} assets gave ${JSON.stringify(c)}`);
    await pg.exec(`ANALYZE`);

    const deepCursor = deepCursorFor(n);
    const explain = async (sql: string) =>
      (await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) ${sql}`)).rows.map((r) => r["QUERY PLAN"]);
    const first = `SELECT ${ASSET_COLUMNS} FROM "public"."assets" WHERE 1=1 ORDER BY "public"."assets"."id" DESC LIMIT ${limit + 1} OFFSET 0`;
    const deep = `SELECT ${ASSET_COLUMNS} FROM "public"."assets" WHERE "public"."assets"."id" < ${deepCursor} ORDER BY "public"."assets"."id" DESC LIMIT ${limit + 1} OFFSET 0`;
    await pg.query(first); // warm the caches like a running server has them
    const pageIds = (await pg.query<{ activity_id: string }>(first)).rows.map((r) => `'${r.activity_id}'`);
    const activities = `SELECT "public"."activities"."id", "public"."activities"."index" FROM "public"."activities" WHERE "public"."activities"."id" IN (${pageIds.join(",")}) OFFSET 0`;
    const ctx: AppContext = {
      config: loadConfig({ ARTDAG_DATA: set.dir, ARTDAG_DOMAIN: "127.0.0.1:8200", ARTDAG_SCHEME: "http" }),
      prisma: db.prisma,
      jwtSecret: randomBytes(32),
      jobs: { send: async () => {} },
      now: () => new Date(),
    };
    const result: SeededSet = {
      dir: set.dir,
      count: n,
      seedMs: 0,
      deepCursor,
      explain: { first: await explain(first), deep: await explain(deep), activities: await explain(activities) },
      inProcessMs: {
        first: await timeListAssets(ctx, { limit: String(limit) }, timeMs),
        deep: await timeListAssets(ctx, { limit: String(limit), cursor: String(deepCursor) }, timeMs),
      },
    };
    await db.close();
    result.seedMs = performance.now() - started;
    console.error(`seed: ${n} assets in ${set.dir} (${(result.seedMs / 1000).toFixed(1)} s)`);
    return result;
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}

export async function runSeed(opts: SeedOptions): Promise<SeededSet[]> {
  const out: SeededSet[] = [];
  for (const set of opts.sets) out.push(await seedOne(set, opts.limit, opts.timeMs));
  return out;
}

async function reply(message: { ok: true; result: SeededSet[] } | { ok: false; error: string }, code: number) {
  if (process.send) await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  else console.log(JSON.stringify(message, null, 2));
  process.exit(code);
}

async function main(opts: SeedOptions) {
  try {
    await reply({ ok: true, result: await runSeed(opts) }, 0);
  } catch (err) {
    await reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 1);
  }
}

if (process.send) process.once("message", (opts: SeedOptions) => void main(opts));
else void main({ sets: [{ dir: process.argv[2], count: Number(process.argv[3] ?? 1000) }], limit: 50, timeMs: 500 });
