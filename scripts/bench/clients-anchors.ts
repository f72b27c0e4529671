// Part of `npm run bench`: Moo-Auth-1 client authentication and OpenTimestamps anchoring, in process,
// no server of ours. Run as a child process of scripts/bench.ts (options over IPC, one result back),
// so its PGlite databases live and die in its own process; run directly
// (`npx tsx scripts/bench/clients-anchors.ts [moo-requests] [anchor-small] [anchor-large]`) it prints
// the result as JSON.
//
// 5. Moo-Auth-1: a test context (fresh PGlite), a local user `alice` with one registered Ed25519
//    client key. N distinct POSTs to https://l2.test/users/alice/outbox (distinct bodies, so distinct
//    digests and signatures: none is a replay) are each signed with signMooAuth — timed on its own,
//    the client's cost — then checked, one at a time, after a warm-up each: bare crypto.verify over
//    the prepared signing string (key object made once); verifyMooAuth (headers, did:key decode,
//    digest, signing string, verify; no database); authenticateMooAuth (the same, then the
//    registered-key lookup, the replay INSERT into moo_auth_seen and the last_used_at UPDATE).
//    Every call must succeed; moo_auth_seen must end with one row per authenticated request.
// 6. Anchoring: per size (1 000 and 10 000 by default) a fresh test context whose OTS_CALENDARS are
//    two in-process stub calendars (e2e/fixtures/ots-calendar.ts) mining into an in-process Esplora
//    stub (e2e/fixtures/esplora.ts). One asset is registered with registerAsset; its signed Create is
//    the template of the other N − 1 activities, cloned in one INSERT … SELECT with the activity id
//    replaced (same shape and length as real ones, distinct bytes, so distinct leaves). Then:
//    anchorPending with the production options (batches of DEFAULT_BATCH_SIZE), timed; beside it the
//    leaf hashing + merkle tree alone over the same bodies (no database, no calendars); getActivityOts
//    of every activity, one at a time (the .ots is composed on each read), each parsed with
//    parseDetached afterwards and checked (digest = sha256(body), one pending attestation per
//    calendar); then each calendar mines once and upgradeAnchor runs on every created anchor, timed,
//    each must come back confirmed; one proof per anchor is then re-read and checked with
//    checkActivityOts against the Esplora stub.
import { generateKeyPairSync, randomUUID, sign, verify } from "node:crypto";
import { startEsplora } from "../../e2e/fixtures/esplora";
import { startOtsCalendar } from "../../e2e/fixtures/ots-calendar";
import { registerUser } from "../../lib/accounts";
import {
  allAttestations,
  anchorPending,
  buildMerkleBatch,
  bytesToHex,
  checkActivityOts,
  DEFAULT_BATCH_SIZE,
  getActivityOts,
  parseDetached,
  sha256,
  upgradeAnchor,
  type AnchorOptions,
} from "../../lib/anchors";
import { addClientKey, addClientKeyInput, authenticateMooAuth } from "../../lib/clients";
import { decodeMultibaseBase58btc, didKeyFromEd25519 } from "../../lib/crypto";
import { buildMooAuthSigningString, signMooAuth, verifyMooAuth } from "../../lib/http-signatures";
import { registerAsset, registerAssetInput } from "../../lib/registry";
import { createTestContext } from "../../lib/testing";

export interface ClientsAnchorsOptions {
  /** Measured Moo-Auth-1 requests (each row). */
  mooRequests: number;
  /** Activities per anchoring run, e.g. [1000, 10000]. */
  anchorSizes: number[];
}

export interface MooRow {
  key: "sign" | "signMooAuth" | "verify" | "verifyMooAuth" | "authenticateMooAuth";
  label: string;
  count: number;
  elapsedMs: number;
  perSecond: number;
  usPerOp: number;
  cpuUsPerOp: number;
}

export interface MooResult {
  database: string;
  bodyBytes: number;
  rows: MooRow[];
  seenRows: number;
}

export interface AnchorRun {
  activities: number;
  seedMs: number;
  bodyBytes: number;
  /** anchorPending wall time, ms. */
  anchorMs: number;
  anchors: number;
  batchSize: number;
  /** sha256 of every body + buildMerkleBatch, no database and no calendars, ms. */
  treeMs: number;
  calendarRequests: number;
  /** getActivityOts of every activity, one at a time. */
  otsReads: number;
  otsMs: number;
  otsBytesMean: number;
  /** upgradeAnchor of every created anchor after one mining per calendar, ms in all. */
  upgradeMs: number;
  confirmed: number;
  /** The proof re-read after the upgrade, one activity per anchor: its size before and after. */
  otsBytesUpgraded: { pending: number; confirmed: number }[];
}

export interface ClientsAnchorsResult {
  moo: MooResult;
  anchors: AnchorRun[];
}

const USER = "alice";
const MOO_WARMUP = 100;
const ANCHOR_OPTIONS: AnchorOptions = { remote: { timeoutMs: 30_000 } };

/** Times `run(i)` for i in [0, count), one at a time; wall and process CPU. */
async function timeEach(key: MooRow["key"], label: string, count: number, run: (i: number) => unknown): Promise<MooRow> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  console.error(`clients-anchors: ${label}: ${count} in ${elapsedMs.toFixed(0)} ms`);
  return {
    key,
    label,
    count,
    elapsedMs,
    perSecond: (count * 1000) / elapsedMs,
    usPerOp: (elapsedMs * 1000) / count,
    cpuUsPerOp: (cpu.user + cpu.system) / count,
  };
}

async function runMooAuth(count: number): Promise<MooResult> {
  const t = await createTestContext("pglite");
  try {
    await registerUser(t.ctx, { username: USER, password: "password alice" }, { client: null });
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const didKey = didKeyFromEd25519(publicKey);
    await addClientKey(t.ctx, USER, addClientKeyInput.parse({ did_key: didKey, label: "bench" }));

    const url = `${t.config.baseUrl}/users/${USER}/outbox`;
    const { host, pathname } = new URL(url);
    if (host !== t.config.domain) throw new Error(`the outbox URL's host ${host} is not config.domain ${t.config.domain}`);
    const now = t.ctx.now(); // the test clock stands still: every Date is the same second, every body differs
    const total = MOO_WARMUP + count;
    const bodies = Array.from({ length: total }, () =>
      new TextEncoder().encode(
        JSON.stringify({
          "@context": "https://www.w3.org/ns/activitystreams",
          type: "Create",
          actor: `${t.config.baseUrl}/users/${USER}`,
          object: { type: "Image", name: `bench-${randomUUID()}`, content: "a".repeat(200) },
        }),
      ),
    );
    const bodyBytes = bodies[0].length;

    // The client's cost: signMooAuth of each request (digest, signing string, Ed25519, base58, did:key).
    const signed: Record<string, string>[] = new Array(total);
    const signOne = (i: number) => (signed[i] = signMooAuth({ method: "POST", url, body: bodies[i], privateKey, now }));
    for (let i = 0; i < MOO_WARMUP; i++) signOne(i);
    const signRow = await timeEach("signMooAuth", "signMooAuth (client side, per request)", count, (i) => signOne(MOO_WARMUP + i));

    // What the server receives, built outside every timing.
    const requests = signed.map((h, i) => ({
      method: "POST",
      url,
      headers: new Headers({ ...h, host, "content-type": "application/activity+json" }),
      body: bodies[i],
    }));
    const signingStrings = signed.map((h) =>
      Buffer.from(buildMooAuthSigningString({ method: "POST", path: pathname, host, date: h.Date, digest: h.Digest }), "utf8"),
    );
    const signatures = signed.map((h) => {
      const d = decodeMultibaseBase58btc(h["X-Moo-Signature"]);
      if (!d.ok) throw new Error(`signMooAuth made an undecodable signature: ${h["X-Moo-Signature"]}`);
      return Buffer.from(d.bytes);
    });

    const bareSign = (i: number) => sign(null, signingStrings[i], privateKey);
    for (let i = 0; i < MOO_WARMUP; i++) bareSign(i);
    const bareSignRow = await timeEach("sign", "Ed25519 sign only (crypto.sign)", count, (i) => bareSign(MOO_WARMUP + i));

    const bareVerify = (i: number) => {
      if (!verify(null, signingStrings[i], publicKey, signatures[i])) throw new Error(`request ${i}: crypto.verify said no`);
    };
    for (let i = 0; i < MOO_WARMUP; i++) bareVerify(i);
    const verifyRow = await timeEach("verify", "Ed25519 verify only (crypto.verify, key object made once)", count, (i) => bareVerify(MOO_WARMUP + i));

    const options = { expectedHost: t.config.domain, now };
    const pureVerify = (i: number) => {
      const r = verifyMooAuth({ method: "POST", path: pathname, headers: requests[i].headers, body: bodies[i] }, options);
      if (!r.ok || r.didKey !== didKey) throw new Error(`request ${i}: verifyMooAuth gave ${JSON.stringify(r)}`);
    };
    for (let i = 0; i < MOO_WARMUP; i++) pureVerify(i);
    const pureRow = await timeEach("verifyMooAuth", "verifyMooAuth (signing string + checks + verify, no DB)", count, (i) => pureVerify(MOO_WARMUP + i));

    const authenticate = async (i: number) => {
      const caller = await authenticateMooAuth(t.ctx, requests[i]);
      if (caller.username !== USER || caller.didKey !== didKey) throw new Error(`request ${i}: authenticateMooAuth gave ${JSON.stringify(caller)}`);
    };
    for (let i = 0; i < MOO_WARMUP; i++) await authenticate(i);
    const authRow = await timeEach("authenticateMooAuth", "authenticateMooAuth (+ key lookup, replay INSERT, last_used_at)", count, (i) =>
      authenticate(MOO_WARMUP + i),
    );

    const seenRows = await t.ctx.prisma.mooAuthSeen.count();
    if (seenRows !== total) throw new Error(`moo_auth_seen holds ${seenRows} rows after ${total} authenticated requests`);
    const key = await t.ctx.prisma.clientKey.findUniqueOrThrow({ where: { didKey }, select: { lastUsedAt: true } });
    if (key.lastUsedAt?.getTime() !== now.getTime()) throw new Error(`last_used_at is ${key.lastUsedAt?.toISOString()}, expected ${now.toISOString()}`);
    // A replay of a measured request must still be refused (the INSERT did its job).
    const replay = await authenticateMooAuth(t.ctx, requests[total - 1]).then(
      () => "accepted",
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    if (!/replay/.test(replay)) throw new Error(`a replayed request was not refused as a replay: ${replay}`);

    return {
      database: "PGlite, fresh and migrated, in memory (createTestContext)",
      bodyBytes,
      rows: [bareSignRow, signRow, verifyRow, pureRow, authRow],
      seenRows,
    };
  } finally {
    await t.close();
  }
}

async function runAnchors(size: number): Promise<AnchorRun> {
  const esplora = await startEsplora();
  const calendars = [await startOtsCalendar({ esploraUrl: esplora.url }), await startOtsCalendar({ esploraUrl: esplora.url })];
  const t = await createTestContext("pglite", { OTS_CALENDARS: calendars.map((c) => c.url).join(","), OTS_ESPLORA_URL: esplora.url });
  try {
    const ctx = t.ctx;
    await registerUser(ctx, { username: USER, password: "password alice" }, { client: null });

    // Seeding: one real registration, then N − 1 clones of its signed Create with their own ids.
    const seedStart = performance.now();
    const input = registerAssetInput.parse({ name: "bench-anchor-template", content_hash: "ab".repeat(32), asset_type: "image" });
    const { activity } = await registerAsset(ctx, USER, input);
    const templateId = activity.id.split("/").pop()!;
    const template = await ctx.prisma.activity.findUniqueOrThrow({ where: { id: templateId }, select: { index: true, body: true } });
    if (!template.body.includes(templateId)) throw new Error("the template activity's body does not hold its own id");
    await ctx.prisma.$executeRaw`
      INSERT INTO activities (id, index, type, actor, body, published)
      SELECT v.id, t.index + g, t.type, t.actor, replace(t.body, ${templateId}, v.id::text), t.published
      FROM activities t, generate_series(1, ${size - 1}::int) g,
           LATERAL (SELECT md5('bench-anchor-' || g)::uuid AS id) v
      WHERE t.id = ${templateId}::uuid`;
    await ctx.prisma.$executeRawUnsafe("ANALYZE activities");
    const seedMs = performance.now() - seedStart;
    const rows = await ctx.prisma.activity.findMany({ orderBy: { index: "asc" }, select: { id: true, body: true } });
    if (rows.length !== size) throw new Error(`seeding gave ${rows.length} activities, expected ${size}`);
    if (new Set(rows.map((r) => r.body)).size !== size) throw new Error("seeded activity bodies are not all distinct");
    const bodyBytes = Math.round(rows.reduce((n, r) => n + Buffer.byteLength(r.body), 0) / size);
    console.error(`clients-anchors: seeded ${size} activities (${bodyBytes} B bodies) in ${seedMs.toFixed(0)} ms`);

    // The in-memory part alone, on the same bodies, in batches as anchorPending makes them.
    const treeStart = performance.now();
    for (let i = 0; i < size; i += DEFAULT_BATCH_SIZE) buildMerkleBatch(rows.slice(i, i + DEFAULT_BATCH_SIZE).map((r) => sha256(r.body)));
    const treeMs = performance.now() - treeStart;

    const requests0 = calendars.reduce((n, c) => n + c.controls.requests.length, 0);
    const anchorStart = performance.now();
    const { created } = await anchorPending(ctx, ANCHOR_OPTIONS);
    const anchorMs = performance.now() - anchorStart;
    const calendarRequests = calendars.reduce((n, c) => n + c.controls.requests.length, 0) - requests0;
    console.error(`clients-anchors: anchorPending of ${size}: ${created.length} anchor(s) in ${anchorMs.toFixed(0)} ms`);

    const unanchored = await ctx.prisma.activity.count({ where: { OR: [{ anchorRoot: null }, { anchorPath: null }] } });
    if (unanchored !== 0) throw new Error(`${unanchored} of ${size} activities have no anchorRoot/anchorPath after anchorPending`);
    if (created.reduce((n, a) => n + a.activity_count, 0) !== size)
      throw new Error(`the anchors count ${created.map((a) => a.activity_count).join("+")} activities, expected ${size}`);
    for (const a of created) {
      if (a.last_error || a.submitted_at === null || a.calendars.some((c) => c.state !== "pending" || c.error)) {
        throw new Error(`anchor ${a.root} was not answered by both calendars: ${JSON.stringify(a)}`);
      }
    }
    if (calendarRequests !== 2 * created.length) throw new Error(`the calendars saw ${calendarRequests} requests for ${created.length} anchors`);

    // Every proof, composed on each read.
    const proofs: Uint8Array[] = new Array(size);
    for (let i = 0; i < Math.min(50, size); i++) await getActivityOts(ctx, rows[i].id); // warm-up
    const otsStart = performance.now();
    for (let i = 0; i < size; i++) proofs[i] = await getActivityOts(ctx, rows[i].id);
    const otsMs = performance.now() - otsStart;
    const expectedPending = calendars
      .map((c) => `pending ${c.url}`)
      .sort()
      .join(", ");
    for (let i = 0; i < size; i++) {
      const ots = parseDetached(proofs[i]);
      if (bytesToHex(ots.fileDigest) !== bytesToHex(sha256(rows[i].body))) throw new Error(`activity ${rows[i].id}: the .ots digest is not sha256 of its body`);
      const kinds = allAttestations(ots.timestamp)
        .map(({ attestation: a }) => (a.kind === "pending" ? `pending ${a.uri}` : a.kind))
        .sort()
        .join(", ");
      if (kinds !== expectedPending) throw new Error(`activity ${rows[i].id}: the .ots attests ${kinds}, expected ${expectedPending}`);
    }
    const otsBytesMean = proofs.reduce((n, p) => n + p.length, 0) / size;

    // One block per calendar, then every anchor upgraded.
    for (const c of calendars) if (!(await c.controls.mine())) throw new Error(`${c.url} had nothing to mine`);
    const upgradeStart = performance.now();
    const upgraded = [];
    for (const a of created) upgraded.push(await upgradeAnchor(ctx, a.root, ANCHOR_OPTIONS));
    const upgradeMs = performance.now() - upgradeStart;
    const confirmed = upgraded.filter((u) => u.changed && u.anchor.state === "confirmed" && u.anchor.block_height !== null).length;
    if (confirmed !== created.length)
      throw new Error(`${confirmed} of ${created.length} anchors confirmed after mining: ${JSON.stringify(upgraded.map((u) => u.anchor))}`);
    // One proof per anchor, fully checked (parse, digest, both blocks' merkle roots at the Esplora stub).
    const otsBytesUpgraded: AnchorRun["otsBytesUpgraded"] = [];
    const position = new Map(rows.map((r, i) => [r.id, i]));
    for (const a of created) {
      const row = await ctx.prisma.activity.findFirstOrThrow({ where: { anchorRoot: a.root }, orderBy: { index: "desc" }, select: { id: true, body: true } });
      const ots = await getActivityOts(ctx, row.id);
      otsBytesUpgraded.push({ pending: proofs[position.get(row.id)!].length, confirmed: ots.length });
      const check = await checkActivityOts(ctx, row.body, ots, ANCHOR_OPTIONS);
      if (!check.ok || check.blocks.length !== calendars.length)
        throw new Error(`activity ${row.id}: checkActivityOts after the upgrade gave ${JSON.stringify(check)}`);
    }
    console.error(`clients-anchors: upgradeAnchor of ${created.length} anchor(s): ${upgradeMs.toFixed(0)} ms`);

    return {
      activities: size,
      seedMs,
      bodyBytes,
      anchorMs,
      anchors: created.length,
      batchSize: DEFAULT_BATCH_SIZE,
      treeMs,
      calendarRequests,
      otsReads: size,
      otsMs,
      otsBytesMean,
      upgradeMs,
      confirmed,
      otsBytesUpgraded,
    };
  } finally {
    await t.close();
    await Promise.all([...calendars.map((c) => c.close()), esplora.close()]);
  }
}

export async function runClientsAnchors(opts: ClientsAnchorsOptions): Promise<ClientsAnchorsResult> {
  const moo = await runMooAuth(opts.mooRequests);
  const anchors: AnchorRun[] = [];
  for (const size of opts.anchorSizes) anchors.push(await runAnchors(size));
  return { moo, anchors };
}

async function reply(message: { ok: true; result: ClientsAnchorsResult } | { ok: false; error: string }, code: number) {
  if (process.send) await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  else console.log(JSON.stringify(message, null, 2));
  process.exit(code);
}

async function main(opts: ClientsAnchorsOptions) {
  try {
    await reply({ ok: true, result: await runClientsAnchors(opts) }, 0);
  } catch (err) {
    await reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 1);
  }
}

if (process.send) process.once("message", (opts: ClientsAnchorsOptions) => void main(opts));
else void main({ mooRequests: Number(process.argv[2] ?? 2000), anchorSizes: [Number(process.argv[3] ?? 1000), Number(process.argv[4] ?? 10_000)] });
