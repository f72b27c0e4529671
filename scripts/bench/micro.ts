// Part of `npm run bench`: the raw in-process cost of what every registration must do, without HTTP.
// Run as a child process of scripts/bench.ts (it receives its options over IPC and sends the result
// back), so its PGlite and key material live and die in their own process; run directly
// (`npx tsx scripts/bench/micro.ts [ms-per-operation]`) it prints the result as JSON.
//
// Measured, each in a loop for a fixed time after a short warm-up, one operation at a time:
//   - RSA-2048 PKCS#1 v1.5 SHA-256 over 64 bytes with an already parsed key (node:crypto.sign);
//   - parsing the actor's PKCS#8 PEM (createPrivateKey), which signActivity does once per key text
//     (privateKeyFromPem remembers the parse);
//   - signActivity() on a representative Create (built by buildSignedClaim, the registry's own code):
//     canonical JSON of the options and the six signed members, two SHA-256, the remembered key, RSA sign;
//   - one INSERT of an asset row (raw SQL, autocommit) referencing an activity inserted beforehand
//     (in bulk with a short body, not timed): the unique indexes, the GIN tag index, the owner/type indexes and both FK checks;
//   - the database writes of one registration in raw SQL: one transaction taking the advisory lock,
//     reading MAX(index), inserting the signed activity (its real ~1.5 KB body) and the asset;
//   - the same writes through Prisma, as insertClaim does them (storeActivity + asset.create in
//     $transaction), signature precomputed;
//   - the same writes as registerAsset does them for an owner without followers: one batched
//     $transaction([lock, one INSERT of the activity (MAX(index)+1) and the asset]), signature precomputed;
//   - signClaim(): what a registration must sign, as the registry does it — both key files read, the
//     FEP-8b32 proof (RFC 8785 JSON + Ed25519) and the Art DAG signature (canonical JSON + RSA);
//   - the Bearer token check a POST /assets must make: HS256 verify (jose, via verifyTokenSignature)
//     and one raw SQL statement (is its hash revoked? does its account exist?);
//   - the registration's writes as the registry sends them, in raw SQL: BEGIN, the advisory lock
//     (with the followers check and the cache purge's NOTIFY), one INSERT of the activity and the
//     asset, COMMIT;
//   - registerAsset() itself: reading the key files, signing, the batched transaction — everything a
//     POST /assets does except HTTP, Next, auth and body parsing.
// scripts/bench.ts derives the ceiling of item 7 (#20) from the token check + signClaim + the raw
// writes: the work a registration must do, nothing more and nothing less (no Prisma, no HTTP).
// The database is a fresh, migrated PGlite in a temporary folder on disk, as the server uses.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../lib/config";
import type { AppContext } from "../../lib/context";
import { ensureActorKeyPair, readActorPrivateKey, signActivity, type ActivityWithoutSignature } from "../../lib/crypto";
import { openDatabase, type Prisma } from "../../lib/db";
import { registerAsset, registerAssetInput } from "../../lib/registry";
import { buildSignedClaim, storeActivity } from "../../lib/registry/activities";
import { claimWriteStatements, signClaim } from "../../lib/registry/assets";
import { issueToken, tokenHash, verifyTokenSignature } from "../../lib/tokens";
import { CACHE_PURGE_CHANNEL } from "../../lib/cache";

export interface MicroOptions {
  /** Measured time per operation, in milliseconds. */
  durationMs: number;
}

export interface MicroRow {
  key: MicroKey;
  label: string;
  ops: number;
  elapsedMs: number;
  opsPerSec: number;
  usPerOp: number;
  /** CPU time of the whole process (user + system, all threads) per operation. */
  cpuUsPerOp: number;
}

export type MicroKey =
  "rsa" | "pemParse" | "signActivity" | "signClaim" | "tokenCheck" | "insertAsset" | "txnSql" | "txnSqlOne" | "txnPrisma" | "txnBatch" | "registerAsset";

export interface MicroResult {
  rows: MicroRow[];
  /** Bytes of the signed activity body stored per registration. */
  activityBytes: number;
  database: string;
}

const OWNER = "bench_owner";
const WARMUP_OPS = 30;
/** Upper bound on measured operations of one kind (the asset INSERT loop needs an activity for each). */
const MAX_OPS = 20_000;

const hash64 = (s: string) => createHash("sha256").update(s).digest("hex");

async function timeLoop(key: MicroKey, label: string, durationMs: number, op: (i: number) => unknown): Promise<MicroRow> {
  let i = 0;
  for (; i < WARMUP_OPS; i++) await op(i);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let ops = 0;
  let elapsed = 0;
  while (ops < MAX_OPS) {
    await op(i++);
    ops++;
    elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
  }
  const cpu = process.cpuUsage(cpu0);
  console.error(`micro: ${label}: ${ops} ops in ${elapsed.toFixed(0)} ms`);
  return {
    key,
    label,
    ops,
    elapsedMs: elapsed,
    opsPerSec: (ops * 1000) / elapsed,
    usPerOp: (elapsed * 1000) / ops,
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
  };
}

export async function runMicro(opts: MicroOptions): Promise<MicroResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "artdag-bench-micro-"));
  const rows: MicroRow[] = [];
  try {
    const config = loadConfig({ ARTDAG_DATA: dataDir, ARTDAG_DOMAIN: "127.0.0.1:8200", ARTDAG_SCHEME: "http" });
    const db = await openDatabase({ pgliteDir: config.pgliteDir });
    try {
      const pg = db.pglite;
      if (!pg) throw new Error("expected the embedded database");
      const ctx: AppContext = { config, prisma: db.prisma, jwtSecret: randomBytes(32), jobs: { send: async () => {} }, now: () => new Date() };
      await ensureActorKeyPair(config.keysDir, OWNER);
      await pg.query(`INSERT INTO users (username, password_hash) VALUES ($1, 'bench: no password')`, [OWNER]);

      // A representative claim, signed by the registry's own code; signActivity re-signs its unsigned part.
      const fields = {
        name: "bench-representative",
        contentHash: hash64("representative"),
        assetType: "image" as const,
        tags: ["bench"],
        metadata: {},
      };
      const claim = await buildSignedClaim(ctx, OWNER, fields);
      const { signature, ...unsigned } = claim.json as unknown as Record<string, unknown> & { signature: { creator: string; created: string } };
      const privateKeyPem = await readActorPrivateKey(config.keysDir, OWNER);
      if (!privateKeyPem) throw new Error("the bench owner has no private key");

      // 1. Raw RSA over 64 bytes (what signActivity signs), key parsed once.
      const rawKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
      const input = randomBytes(64);
      rows.push(
        await timeLoop("rsa", "RSA-2048 PKCS#1 v1.5 SHA-256 sign of 64 B (node:crypto, parsed key)", opts.durationMs, () => sign("sha256", input, rawKey)),
      );

      // 1b. What parsing the PKCS#8 PEM would add to every signActivity call if it were not remembered.
      rows.push(
        await timeLoop("pemParse", "createPrivateKey(PKCS#8 PEM), saved per call by privateKeyFromPem", opts.durationMs, () => createPrivateKey(privateKeyPem)),
      );

      // 2. signActivity on the representative activity.
      const signOpts = { privateKeyPem, keyId: signature.creator, created: signature.created };
      rows.push(
        await timeLoop("signActivity", "signActivity(): canonical JSON + 2×SHA-256 + remembered key + RSA sign", opts.durationMs, () =>
          signActivity(unsigned as ActivityWithoutSignature, signOpts),
        ),
      );

      // 2b. signClaim: the registry's whole signing of a claim (key files, proof, signature).
      rows.push(
        await timeLoop("signClaim", "signClaim(): both key files read + FEP-8b32 proof (JCS + Ed25519) + signActivity", opts.durationMs, (i) =>
          signClaim(ctx, { owner: OWNER, name: `micro-sign-${i}`, contentHash: hash64(`micro-sign-${i}`), assetType: "image", tags: ["bench"], metadata: {} }),
        ),
      );

      // 2c. The Bearer token check: the JWT and one statement (revoked? account?).
      const { token } = await issueToken(ctx, { username: OWNER });
      rows.push(
        await timeLoop("tokenCheck", "Bearer token check: HS256 verify + one raw SQL statement (revoked? account exists?)", opts.durationMs, async () => {
          const sig = await verifyTokenSignature(ctx, token);
          if (!sig.ok) throw new Error(`the bench token does not verify: ${sig.reason}`);
          const r = await pg.query<{ revoked: boolean; user_exists: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE token_hash = $1) AS revoked, EXISTS (SELECT 1 FROM users WHERE username = $2) AS user_exists`,
            [tokenHash(token), sig.claims.username],
          );
          if (r.rows[0].revoked || !r.rows[0].user_exists) throw new Error("the bench token is refused");
        }),
      );

      // 3. One INSERT of an asset row; its activities exist beforehand (inserted in bulk, not timed).
      const preinserted = WARMUP_OPS + MAX_OPS;
      await pg.query(
        `INSERT INTO activities (id, index, type, actor, body, published)
         SELECT md5('micro-' || g)::uuid, g, 'Create', $1, '{}', now() FROM generate_series(1, ${preinserted}) g`,
        [OWNER],
      );
      const activityIds = (await pg.query<{ id: string }>(`SELECT id FROM activities ORDER BY index`)).rows.map((r) => r.id);
      const insertAsset = `INSERT INTO assets (name, content_hash, asset_type, tags, metadata, url, ipfs_cid, owner, activity_id)
        VALUES ($1, $2, 'image', $3, $4, NULL, NULL, $5, $6)`;
      rows.push(
        await timeLoop("insertAsset", "INSERT INTO assets, one row (raw SQL, autocommit; activity row pre-inserted)", opts.durationMs, (i) =>
          pg.query(insertAsset, [`micro-asset-${i}`, hash64(`micro-asset-${i}`), ["bench"], "{}", OWNER, activityIds[i]]),
        ),
      );

      // 4. The writes of one registration, raw SQL, in one transaction (as storeActivity + insertClaim).
      rows.push(
        await timeLoop(
          "txnSql",
          "registration writes, raw SQL: BEGIN, advisory lock, MAX(index), INSERT activity, INSERT asset, COMMIT",
          opts.durationMs,
          (i) =>
            pg.transaction(async (tx) => {
              await tx.query(`SELECT pg_advisory_xact_lock(726173)`);
              const max = await tx.query<{ m: number | null }>(`SELECT MAX(index) AS m FROM activities`);
              const id = randomUUID();
              await tx.query(`INSERT INTO activities (id, index, type, actor, body, published) VALUES ($1, $2, 'Create', $3, $4, $5)`, [
                id,
                (max.rows[0].m ?? 0) + 1,
                OWNER,
                claim.body,
                claim.published,
              ]);
              await tx.query(insertAsset, [`micro-txn-${i}`, hash64(`micro-txn-${i}`), ["bench"], "{}", OWNER, id]);
            }),
        ),
      );

      // 4b. The writes as the registry sends them (lock + NOTIFY, one INSERT of activity and asset), raw SQL.
      rows.push(
        await timeLoop(
          "txnSqlOne",
          "registration writes, raw SQL as sent: BEGIN, lock + followers check + NOTIFY, one INSERT (activity + asset), COMMIT",
          opts.durationMs,
          (i) =>
            pg.transaction(async (tx) => {
              const tags = [`outbox:${OWNER}`, `user:${OWNER}`, `object:${hash64(`micro-one-${i}`)}`, "nodeinfo"];
              await tx.query(
                `SELECT pg_advisory_xact_lock(726173), set_config('artdag.claim_owner_unfollowed', s.unfollowed::text, true),
                        CASE WHEN s.unfollowed THEN pg_notify($1, $2) END
                   FROM (SELECT NOT EXISTS (SELECT 1 FROM followers WHERE username = $3) AS unfollowed) s`,
                [CACHE_PURGE_CHANNEL, JSON.stringify(tags), OWNER],
              );
              const inserted = await tx.query(
                `WITH activity AS (
                   INSERT INTO activities (id, index, type, actor, body, published)
                   SELECT $1::uuid, COALESCE(MAX(index), 0) + 1, 'Create', $2, $3, $4::timestamptz FROM activities
                   HAVING current_setting('artdag.claim_owner_unfollowed') = 'true'
                   RETURNING id, index)
                 INSERT INTO assets (name, content_hash, asset_type, tags, metadata, owner, activity_id)
                 SELECT $5, $6, 'image', $7::text[], '{}'::jsonb, $2, activity.id FROM activity
                 RETURNING name, content_hash, asset_type, tags, metadata, url, ipfs_cid, owner, provenance, created_at, activity_id,
                           (SELECT index FROM activity) AS activity_index`,
                [randomUUID(), OWNER, claim.body, claim.published.toISOString(), `micro-one-${i}`, hash64(`micro-one-${i}`), ["bench"]],
              );
              if (inserted.rows.length !== 1) throw new Error("the raw claim INSERT wrote nothing");
            }),
        ),
      );

      // 5. The same writes through Prisma, as insertClaim does them (signature precomputed).
      rows.push(
        await timeLoop("txnPrisma", "the same writes through Prisma: $transaction(storeActivity + asset.create)", opts.durationMs, (i) =>
          db.prisma.$transaction(
            async (tx) => {
              const activityId = randomUUID();
              await storeActivity(tx, { activityId, type: "Create", actor: OWNER, body: claim.body, published: claim.published });
              await tx.asset.create({
                data: {
                  name: `micro-prisma-${i}`,
                  contentHash: hash64(`micro-prisma-${i}`),
                  assetType: "image",
                  tags: ["bench"],
                  metadata: {} as Prisma.InputJsonObject,
                  url: null,
                  ipfsCid: null,
                  owner: OWNER,
                  activityId,
                },
                select: { id: true, activity: { select: { index: true } } },
              });
            },
            { timeout: 15_000, maxWait: 15_000 },
          ),
        ),
      );

      // 5b. The same writes as registerAsset does them for an owner without followers (signature precomputed).
      rows.push(
        await timeLoop(
          "txnBatch",
          "the same writes as registerAsset sends them: batched $transaction([lock + followers + NOTIFY, one INSERT])",
          opts.durationMs,
          (i) =>
            db.prisma.$transaction(
              claimWriteStatements(db.prisma, [
                {
                  input: { owner: OWNER, name: `micro-batch-${i}`, contentHash: hash64(`micro-batch-${i}`), assetType: "image", tags: ["bench"], metadata: {} },
                  claim: { ...claim, activityId: randomUUID() },
                },
              ]),
            ),
        ),
      );

      // 6. registerAsset(): the whole domain operation of POST /assets.
      const inputs = (i: number) =>
        registerAssetInput.parse({ name: `micro-reg-${i}`, content_hash: hash64(`micro-reg-${i}`), asset_type: "image", tags: ["bench"] });
      rows.push(
        await timeLoop("registerAsset", "registerAsset() in-process: signClaim + batched Prisma txn", opts.durationMs, (i) =>
          registerAsset(ctx, OWNER, inputs(i)),
        ),
      );

      const count = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM assets`);
      console.error(`micro: ${count.rows[0].n} asset rows written`);
      return { rows, activityBytes: Buffer.byteLength(claim.body), database: "PGlite, fresh and migrated, in a temporary folder on disk" };
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function reply(message: { ok: true; result: MicroResult } | { ok: false; error: string }, code: number) {
  if (process.send) await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  else console.log(JSON.stringify(message, null, 2));
  process.exit(code);
}

async function main(opts: MicroOptions) {
  try {
    await reply({ ok: true, result: await runMicro(opts) }, 0);
  } catch (err) {
    await reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 1);
  }
}

if (process.send) process.once("message", (opts: MicroOptions) => void main(opts));
else void main({ durationMs: Number(process.argv[2] ?? 1000) });
