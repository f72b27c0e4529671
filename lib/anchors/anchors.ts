import type { AppContext } from "@/lib/context";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enforceRateLimit } from "@/lib/http";
import { buildMerkleBatch } from "./merkle";
import {
  allAttestations,
  bytesToHex,
  concatBytes,
  equalBytes,
  hexToBytes,
  mergeTimestamp,
  newTimestamp,
  OP_SHA256,
  OTS_HEADER_MAGIC,
  OTS_MAJOR_VERSION,
  OtsParseError,
  parseDetached,
  parseTimestamp,
  serializeOps,
  serializeTimestamp,
  sha256,
  type OtsTimestamp,
} from "./ots";
import { fetchBlock, fetchFromCalendar, submitToCalendar, type RemoteOptions } from "./remote";

type Tx = Prisma.TransactionClient;

/** Activities per batch; more are anchored in further batches of the same run. */
export const DEFAULT_BATCH_SIZE = 5000;
/** Pending anchors looked at per upgrade run (oldest first). */
const UPGRADE_BATCH = 200;
/** Only one batcher at a time, across processes (storeActivity uses 726173). */
const BATCH_LOCK_KEY = 726174;
const ROOT = /^[0-9a-f]{64}$/;

export interface AnchorCalendarView {
  url: string;
  state: "pending" | "failed" | "complete";
  attempts: number;
  error: string | null;
  answered_at: string | null;
}

export interface AnchorView {
  root: string;
  url: string;
  state: "pending" | "confirmed";
  activity_count: number;
  calendars: AnchorCalendarView[];
  block_height: number | null;
  block_time: string | null;
  created_at: string;
  submitted_at: string | null;
  upgraded_at: string | null;
  confirmed_at: string | null;
  last_error: string | null;
}

export interface AnchorDetail extends AnchorView {
  activities: { id: string; index: number; url: string; ots_url: string }[];
  activities_next_cursor: string | null;
}

export interface AnchorOptions {
  /** Activities per batch (default 5000). */
  batchSize?: number;
  /** Deadlines and fetch of the calendar and Esplora calls. */
  remote?: RemoteOptions;
  /** Leaf nonces (tests fix them). */
  nonce?: (index: number) => Uint8Array;
}

/** What the `calendars` JSON column holds per calendar; `commitments` stays internal. */
interface CalendarEntry {
  url: string;
  state: "pending" | "failed" | "complete";
  attempts: number;
  error: string | null;
  answeredAt: string | null;
  /** Hex of the messages that carry this calendar's pending attestations: what to ask it about. */
  commitments: string[];
}

interface AnchorRow {
  id: number;
  root: string;
  state: string;
  activityCount: number;
  calendars: Prisma.JsonValue;
  timestamp: Uint8Array | null;
  blockHeight: number | null;
  blockTime: Date | null;
  lastError: string | null;
  createdAt: Date;
  submittedAt: Date | null;
  upgradedAt: Date | null;
  confirmedAt: Date | null;
}

// ---------------------------------------------------------------------------------------------
// Shapes

function readEntries(json: Prisma.JsonValue): CalendarEntry[] {
  if (!Array.isArray(json)) return [];
  const out: CalendarEntry[] = [];
  for (const raw of json) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) continue;
    const e = raw as Record<string, unknown>;
    if (typeof e.url !== "string") continue;
    out.push({
      url: e.url,
      state: e.state === "failed" || e.state === "complete" ? e.state : "pending",
      attempts: typeof e.attempts === "number" ? e.attempts : 0,
      error: typeof e.error === "string" ? e.error : null,
      answeredAt: typeof e.answeredAt === "string" ? e.answeredAt : null,
      commitments: Array.isArray(e.commitments) ? e.commitments.filter((c): c is string => typeof c === "string") : [],
    });
  }
  return out;
}

function writeEntries(entries: CalendarEntry[]): Prisma.InputJsonValue {
  return entries.map((e) => ({ ...e }));
}

/** The anchor's entries, one per configured calendar (configuration may have grown since). */
function entriesFor(ctx: AppContext, json: Prisma.JsonValue): CalendarEntry[] {
  const entries = readEntries(json);
  for (const url of ctx.config.otsCalendars) {
    if (!entries.some((e) => e.url === url)) {
      entries.push({ url, state: "pending", attempts: 0, error: null, answeredAt: null, commitments: [] });
    }
  }
  return entries;
}

function anchorUrl(ctx: AppContext, root: string): string {
  return `${ctx.config.baseUrl}/anchors/${root}`;
}

function otsUrl(ctx: AppContext, activityId: string): string {
  return `${ctx.config.baseUrl}/activities/${activityId}/ots`;
}

function toView(ctx: AppContext, row: AnchorRow): AnchorView {
  return {
    root: row.root,
    url: anchorUrl(ctx, row.root),
    state: row.state === "confirmed" ? "confirmed" : "pending",
    activity_count: row.activityCount,
    calendars: readEntries(row.calendars).map((e) => ({
      url: e.url,
      state: e.state,
      attempts: e.attempts,
      error: e.error,
      answered_at: e.answeredAt,
    })),
    block_height: row.blockHeight,
    block_time: row.blockTime?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    submitted_at: row.submittedAt?.toISOString() ?? null,
    upgraded_at: row.upgradedAt?.toISOString() ?? null,
    confirmed_at: row.confirmedAt?.toISOString() ?? null,
    last_error: row.lastError,
  };
}

const anchorSelect = {
  id: true,
  root: true,
  state: true,
  activityCount: true,
  calendars: true,
  timestamp: true,
  blockHeight: true,
  blockTime: true,
  lastError: true,
  createdAt: true,
  submittedAt: true,
  upgradedAt: true,
  confirmedAt: true,
} as const;

/** A root from a URL: 64 hex digits. @throws AppError invalid_request */
export function parseRoot(raw: string): string {
  const root = raw.trim().toLowerCase();
  if (!ROOT.test(root)) throw new AppError("invalid_request", "An anchor root is 64 hexadecimal digits (a SHA-256).");
  return root;
}

async function findAnchorOrThrow(ctx: AppContext, root: string, db: Tx | AppContext["prisma"] = ctx.prisma): Promise<AnchorRow> {
  const row = await db.anchor.findUnique({ where: { root: parseRoot(root) }, select: anchorSelect });
  if (!row) throw new AppError("not_found", `There is no anchor with root ${root}.`);
  return row;
}

/** Locks the anchor's row for the rest of the transaction, then reads it. */
async function lockAnchor(tx: Tx, root: string): Promise<AnchorRow | null> {
  await tx.$queryRaw`SELECT id FROM anchors WHERE root = ${root} FOR UPDATE`;
  return tx.anchor.findUnique({ where: { root }, select: anchorSelect });
}

function readStoredTimestamp(row: AnchorRow): OtsTimestamp {
  const root = hexToBytes(row.root);
  return row.timestamp && row.timestamp.length > 0 ? parseTimestamp(Uint8Array.from(row.timestamp), root) : newTimestamp(root);
}

function hasAnything(ts: OtsTimestamp): boolean {
  return ts.attestations.length > 0 || ts.ops.length > 0;
}

function bitcoinAttestations(ts: OtsTimestamp): { msg: Uint8Array; height: number }[] {
  return allAttestations(ts).flatMap(({ msg, attestation }) => (attestation.kind === "bitcoin" ? [{ msg, height: attestation.height }] : []));
}

function pendingCommitments(ts: OtsTimestamp): string[] {
  const set = new Set<string>();
  for (const { msg, attestation } of allAttestations(ts)) if (attestation.kind === "pending") set.add(bytesToHex(msg));
  return [...set];
}

function storedBytes(ts: OtsTimestamp): Uint8Array<ArrayBuffer> | null {
  return hasAnything(ts) ? Uint8Array.from(serializeTimestamp(ts)) : null;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return equalBytes(a, b);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Anchors, newest first, keyset-paged on id; plus how many activities wait for the next batch. */
export async function listAnchors(
  ctx: AppContext,
  query: { cursor?: string; limit: number },
): Promise<{ items: AnchorView[]; next_cursor: string | null; unanchored: number }> {
  const rows = await ctx.prisma.anchor.findMany({
    where: query.cursor ? { id: { lt: Number(query.cursor) } } : {},
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: anchorSelect,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => toView(ctx, r)),
    next_cursor: rows.length > query.limit ? String(page[page.length - 1].id) : null,
    unanchored: await countUnanchored(ctx),
  };
}

/** Activities not yet in any batch. */
export async function countUnanchored(ctx: AppContext): Promise<number> {
  return ctx.prisma.activity.count({ where: { anchorRoot: null } });
}

/** How many anchors (batches) exist. */
export async function countAnchors(ctx: AppContext): Promise<number> {
  return ctx.prisma.anchor.count();
}

/** Anchors by state, for the summary on /anchors/ui. */
export async function getAnchorStateCounts(ctx: AppContext): Promise<{ pending: number; confirmed: number }> {
  const [pending, confirmed] = await Promise.all([
    ctx.prisma.anchor.count({ where: { state: "pending" } }),
    ctx.prisma.anchor.count({ where: { state: "confirmed" } }),
  ]);
  return { pending, confirmed };
}

/** One anchor with a page of its activities (index order). @throws AppError invalid_request, not_found */
export async function getAnchorDetail(
  ctx: AppContext,
  root: string,
  query: { cursor?: string; limit?: number } = {},
): Promise<AnchorDetail> {
  const row = await findAnchorOrThrow(ctx, root);
  const limit = query.limit ?? 100;
  const activities = await ctx.prisma.activity.findMany({
    where: { anchorRoot: row.root, ...(query.cursor ? { index: { gt: Number(query.cursor) } } : {}) },
    orderBy: { index: "asc" },
    take: limit + 1,
    select: { id: true, index: true },
  });
  const page = activities.slice(0, limit);
  return {
    ...toView(ctx, row),
    activities: page.map((a) => ({
      id: a.id,
      index: a.index,
      url: `${ctx.config.baseUrl}/activities/${a.id}`,
      ots_url: otsUrl(ctx, a.id),
    })),
    activities_next_cursor: activities.length > limit ? String(page[page.length - 1].index) : null,
  };
}

/** The anchor of one activity (by its id), if it is in a batch yet. */
export async function getActivityAnchor(
  ctx: AppContext,
  activityId: string,
): Promise<{ activity_id: string; anchor: AnchorView | null; ots_url: string | null }> {
  const row = await ctx.prisma.activity.findUnique({
    where: { id: activityId },
    select: { id: true, anchor: { select: anchorSelect } },
  });
  if (!row) throw new AppError("not_found", `There is no activity ${activityId}.`);
  const anchor = row.anchor;
  return {
    activity_id: row.id,
    anchor: anchor ? toView(ctx, anchor) : null,
    ots_url: anchor && anchor.timestamp && anchor.timestamp.length > 0 ? otsUrl(ctx, row.id) : null,
  };
}

/**
 * The `.ots` proof of one activity (by its id): header, sha256 of its stored bytes, its own path
 * to the batch root, then the anchor's timestamp. Composed on every read, so an upgrade of the
 * anchor upgrades every proof at once. @throws AppError not_found, not_anchored
 */
export async function getActivityOts(ctx: AppContext, activityId: string): Promise<Uint8Array> {
  const row = await ctx.prisma.activity.findUnique({
    where: { id: activityId },
    select: { body: true, anchorPath: true, anchor: { select: { timestamp: true } } },
  });
  if (!row) throw new AppError("not_found", `There is no activity ${activityId}.`);
  if (!row.anchorPath || !row.anchor) {
    throw new AppError("not_anchored", "This activity is not anchored yet: it waits for the next batch.");
  }
  if (!row.anchor.timestamp || row.anchor.timestamp.length === 0) {
    throw new AppError("not_anchored", "This activity's batch has no calendar answer yet; its submission is retried.");
  }
  // A path node with one operation and nothing else serializes as that operation followed by its
  // child, so header + digest + path + timestamp is exactly the reference serialization.
  return concatBytes(
    OTS_HEADER_MAGIC,
    Uint8Array.from([OTS_MAJOR_VERSION, OP_SHA256]),
    sha256(row.body),
    Uint8Array.from(row.anchorPath),
    Uint8Array.from(row.anchor.timestamp),
  );
}

// ---------------------------------------------------------------------------------------------
// Batching and submission

/** Puts up to `batchSize` unanchored activities into one new anchor; null when there are none. */
async function createBatch(ctx: AppContext, options: AnchorOptions): Promise<string | null> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  return ctx.prisma.$transaction(
    async (tx) => {
      // Serializes batchers; READ COMMITTED then shows each one the rows the previous one took.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(${BATCH_LOCK_KEY})::text AS locked`;
      const rows = await tx.activity.findMany({
        where: { anchorRoot: null },
        orderBy: { index: "asc" },
        take: batchSize,
        select: { id: true, body: true },
      });
      if (rows.length === 0) return null;
      const batch = buildMerkleBatch(
        rows.map((r) => sha256(r.body)),
        options.nonce,
      );
      const root = bytesToHex(batch.root);
      const entries = ctx.config.otsCalendars.map(
        (url): CalendarEntry => ({ url, state: "pending", attempts: 0, error: null, answeredAt: null, commitments: [] }),
      );
      await tx.anchor.create({
        data: { root, state: "pending", activityCount: rows.length, calendars: writeEntries(entries), createdAt: ctx.now() },
      });
      const items = rows.map((r, i) => ({ id: r.id, path: bytesToHex(serializeOps(batch.paths[i])) }));
      const updated = await tx.$executeRaw`
        UPDATE activities AS a SET anchor_root = ${root}, anchor_path = decode(v.path, 'hex')
        FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS v(id uuid, path text)
        WHERE a.id = v.id AND a.anchor_root IS NULL`;
      // Never anchor an activity twice: if another writer got there first, the batch rolls back.
      if (updated !== rows.length) throw new Error(`anchoring batch ${root}: ${updated} of ${rows.length} activities updated`);
      return root;
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
}

/**
 * Submits an anchor's root to every configured calendar at once and stores the answers (merged:
 * one fork per calendar). Nothing happens to an anchor that already has a timestamp.
 */
async function submitAnchor(ctx: AppContext, root: string, options: AnchorOptions): Promise<void> {
  const calendars = [...ctx.config.otsCalendars];
  const rootBytes = hexToBytes(root);
  const results = await Promise.all(calendars.map((url) => submitToCalendar(url, rootBytes, options.remote)));
  await ctx.prisma.$transaction(async (tx) => {
    const row = await lockAnchor(tx, root);
    if (!row || row.timestamp) return;
    const ts = newTimestamp(rootBytes);
    const entries = entriesFor(ctx, row.calendars);
    const now = ctx.now();
    const errors: string[] = [];
    results.forEach((result, i) => {
      const entry = entries.find((e) => e.url === calendars[i]);
      if (!entry) return;
      entry.attempts += 1;
      if (result.ok && pendingCommitments(result.timestamp).length === 0 && bitcoinAttestations(result.timestamp).length === 0) {
        entry.state = "failed";
        entry.error = `${entry.url} answered a timestamp without any attestation.`;
        errors.push(entry.error);
        return;
      }
      if (!result.ok) {
        entry.state = "failed";
        entry.error = result.error;
        errors.push(result.error);
        return;
      }
      mergeTimestamp(ts, result.timestamp);
      entry.state = "pending";
      entry.error = null;
      entry.answeredAt = now.toISOString();
      entry.commitments = pendingCommitments(result.timestamp);
    });
    const answered = hasAnything(ts);
    await tx.anchor.update({
      where: { id: row.id },
      data: {
        calendars: writeEntries(entries),
        timestamp: storedBytes(ts),
        submittedAt: answered ? now : null,
        lastError: answered
          ? null
          : `No calendar answered; the submission is retried on the next run. ${errors.join(" ")}`.trim(),
      },
    });
  });
}

async function retrySubmissions(ctx: AppContext, options: AnchorOptions): Promise<number> {
  const waiting = await ctx.prisma.anchor.findMany({
    where: { state: "pending", timestamp: null },
    orderBy: { id: "asc" },
    take: UPGRADE_BATCH,
    select: { root: true },
  });
  for (const { root } of waiting) await submitAnchor(ctx, root, options);
  return waiting.length;
}

/**
 * `POST /anchors` for a signed-in user: anchorPending, at most RATE_LIMIT_ANCHOR times per user and
 * window (each call may build batches and submit them to every calendar).
 * @throws AppError rate_limited (429, Retry-After) before anything is done
 */
export async function anchorNow(ctx: AppContext, username: string, options: AnchorOptions = {}): Promise<{ created: AnchorView[]; retried: number }> {
  await enforceRateLimit(ctx, `anchor:${username}`, ctx.config.rateLimitAnchor);
  return anchorPending(ctx, options);
}

/**
 * Anchors every activity not yet in a batch: first retries submissions no calendar answered, then
 * builds batches (under a lock, in one transaction each) and submits their roots to the calendars
 * outside the transaction. Each activity is anchored exactly once.
 */
export async function anchorPending(ctx: AppContext, options: AnchorOptions = {}): Promise<{ created: AnchorView[]; retried: number }> {
  const retried = await retrySubmissions(ctx, options);
  const created: AnchorView[] = [];
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  for (;;) {
    const root = await createBatch(ctx, options);
    if (!root) break;
    await submitAnchor(ctx, root, options);
    const row = await findAnchorOrThrow(ctx, root);
    created.push(toView(ctx, row));
    if (row.activityCount < batchSize) break;
  }
  return { created, retried };
}

// ---------------------------------------------------------------------------------------------
// Upgrades and verification

interface BlockCheck {
  ok: boolean;
  height: number;
  time: Date | null;
  message: string;
}

/** Checks one Bitcoin attestation: the message it sits on must be the block's merkle root. */
async function checkBitcoinAttestation(ctx: AppContext, msg: Uint8Array, height: number, options: AnchorOptions): Promise<BlockCheck> {
  const block = await fetchBlock(ctx.config.otsEsploraUrl, height, options.remote);
  if (!block.ok) return { ok: false, height, time: null, message: `Could not check block ${height}: ${block.error}` };
  // Esplora shows the merkle root byte-reversed (Bitcoin's display order); the proof holds it raw.
  const expected = bytesToHex(Uint8Array.from(msg).reverse());
  if (msg.length !== 32 || expected !== block.merkleRoot) {
    return { ok: false, height, time: block.time, message: `Block ${height}'s merkle root does not match the proof.` };
  }
  return { ok: true, height, time: block.time, message: `Block ${height} (${block.time.toISOString()}) has this proof's merkle root.` };
}

/**
 * Asks the calendars that hold pending attestations of one anchor for upgrades, checks any Bitcoin
 * attestation against the block source before keeping it, and confirms the anchor when one holds.
 * An anchor no calendar answered yet gets its submission retried instead.
 * @throws AppError invalid_request, not_found
 */
export async function upgradeAnchor(ctx: AppContext, rootParam: string, options: AnchorOptions = {}): Promise<{ anchor: AnchorView; changed: boolean }> {
  const before = await findAnchorOrThrow(ctx, rootParam);
  const root = before.root;
  if (before.state === "confirmed") return { anchor: toView(ctx, before), changed: false };
  if (!before.timestamp) {
    await submitAnchor(ctx, root, options);
    const after = await findAnchorOrThrow(ctx, root);
    return { anchor: toView(ctx, after), changed: after.timestamp !== null };
  }
  const configured = new Set(ctx.config.otsCalendars);
  const entries = readEntries(before.calendars);
  // Per calendar: the answers to keep, the requests made, and what went wrong.
  const outcomes = new Map<string, { accepted: OtsTimestamp[]; requests: number; error: string | null; confirmed: BlockCheck | null }>();
  const failures: string[] = [];
  await Promise.all(
    entries
      .filter((e) => e.state === "pending" && e.commitments.length > 0)
      .map(async (entry) => {
        const outcome = { accepted: [] as OtsTimestamp[], requests: 0, error: null as string | null, confirmed: null as BlockCheck | null };
        outcomes.set(entry.url, outcome);
        // The whitelist is the configuration, never a URL read from a proof.
        if (!configured.has(entry.url)) {
          outcome.error = `${entry.url} is no longer in OTS_CALENDARS; it is not asked.`;
          return;
        }
        for (const hex of entry.commitments) {
          outcome.requests += 1;
          const answer = await fetchFromCalendar(entry.url, hexToBytes(hex), options.remote);
          if (answer.ok === "pending") continue;
          if (!answer.ok) {
            outcome.error = answer.error;
            continue;
          }
          const blocks = bitcoinAttestations(answer.timestamp);
          let good = true;
          for (const b of blocks) {
            const check = await checkBitcoinAttestation(ctx, b.msg, b.height, options);
            if (!check.ok) {
              good = false;
              outcome.error = check.message;
              failures.push(check.message);
              break;
            }
            if (!outcome.confirmed || check.height < outcome.confirmed.height) outcome.confirmed = check;
          }
          if (good) outcome.accepted.push(answer.timestamp);
        }
      }),
  );

  const changed = await ctx.prisma.$transaction(async (tx) => {
    const row = await lockAnchor(tx, root);
    if (!row) return false;
    const ts = readStoredTimestamp(row);
    const current = entriesFor(ctx, row.calendars);
    const now = ctx.now();
    let confirmed: BlockCheck | null = null;
    for (const entry of current) {
      const outcome = outcomes.get(entry.url);
      if (!outcome) continue;
      entry.attempts += outcome.requests;
      entry.error = outcome.error;
      let merged = 0;
      for (const answer of outcome.accepted) {
        const nodes = findNodesSafe(ts, answer.msg);
        for (const node of nodes) mergeTimestamp(node, answer);
        merged += nodes.length;
      }
      // A block only counts once its attestation is in the proofs this anchor serves.
      if (outcome.confirmed && merged > 0) {
        entry.state = "complete";
        entry.answeredAt = now.toISOString();
        if (!confirmed || outcome.confirmed.height < confirmed.height) confirmed = outcome.confirmed;
      }
    }
    const bytes = storedBytes(ts);
    const timestampChanged = !sameBytes(bytes, row.timestamp ? Uint8Array.from(row.timestamp) : null);
    const confirming = row.state !== "confirmed" && confirmed !== null;
    const lastError = confirming || row.state === "confirmed" ? null : failures.length > 0 ? failures.join(" ") : row.lastError;
    await tx.anchor.update({
      where: { id: row.id },
      data: {
        calendars: writeEntries(current),
        timestamp: bytes,
        upgradedAt: timestampChanged ? now : row.upgradedAt,
        lastError,
        ...(confirming && confirmed
          ? { state: "confirmed", blockHeight: confirmed.height, blockTime: confirmed.time, confirmedAt: now }
          : {}),
      },
    });
    return timestampChanged || confirming;
  });
  return { anchor: toView(ctx, await findAnchorOrThrow(ctx, root)), changed };
}

function findNodesSafe(ts: OtsTimestamp, msg: Uint8Array): OtsTimestamp[] {
  const out: OtsTimestamp[] = [];
  const walk = (t: OtsTimestamp): void => {
    if (equalBytes(t.msg, msg)) out.push(t);
    else for (const { stamp } of t.ops) walk(stamp);
  };
  walk(ts);
  return out;
}

/** Upgrades every pending anchor (oldest first); one that fails does not stop the others. */
export async function upgradeAnchors(ctx: AppContext, options: AnchorOptions = {}): Promise<{ checked: number; changed: number }> {
  const pending = await ctx.prisma.anchor.findMany({
    where: { state: "pending" },
    orderBy: { id: "asc" },
    take: UPGRADE_BATCH,
    select: { root: true },
  });
  let changed = 0;
  for (const { root } of pending) {
    try {
      if ((await upgradeAnchor(ctx, root, options)).changed) changed += 1;
    } catch (err) {
      console.error(`[anchors] upgrading ${root} failed:`, err instanceof Error ? err.message : err);
    }
  }
  return { checked: pending.length, changed };
}

export interface AnchorVerification {
  root: string;
  verified: boolean;
  state: "pending" | "confirmed";
  block_height: number | null;
  block_time: string | null;
  message: string;
}

/** Re-checks a confirmed anchor's Bitcoin attestations against the block source now. @throws AppError invalid_request, not_found */
export async function verifyAnchor(ctx: AppContext, rootParam: string, options: AnchorOptions = {}): Promise<AnchorVerification> {
  const row = await findAnchorOrThrow(ctx, rootParam);
  const view = toView(ctx, row);
  const base = { root: row.root, state: view.state, block_height: view.block_height, block_time: view.block_time };
  const blocks = row.timestamp ? bitcoinAttestations(readStoredTimestamp(row)) : [];
  if (blocks.length === 0) {
    return {
      ...base,
      verified: false,
      message: row.timestamp
        ? "Pending: the calendars have this batch, and it waits for a Bitcoin attestation (usually a few hours)."
        : "Pending: no calendar has answered yet; the submission is retried, then it waits for Bitcoin.",
    };
  }
  const checks = await Promise.all(blocks.map((b) => checkBitcoinAttestation(ctx, b.msg, b.height, options)));
  const failed = checks.find((c) => !c.ok);
  if (failed) return { ...base, verified: false, message: failed.message };
  const first = checks.reduce((a, b) => (b.height < a.height ? b : a));
  return {
    ...base,
    verified: true,
    block_height: first.height,
    block_time: first.time?.toISOString() ?? base.block_time,
    message: `Verified: ${first.message}`,
  };
}

export type OtsCheck =
  | { ok: true; attestations: { kind: "pending" | "bitcoin" | "unknown"; detail: string }[]; blocks: BlockCheck[] }
  | { ok: false; reason: string };

/**
 * Checks an `.ots` file against an activity's stored bytes: it must parse, commit to the SHA-256 of
 * exactly those bytes, and every Bitcoin attestation in it must match its block's merkle root.
 */
export async function checkActivityOts(ctx: AppContext, body: string, ots: Uint8Array, options: AnchorOptions = {}): Promise<OtsCheck> {
  let parsed;
  try {
    parsed = parseDetached(ots);
  } catch (err) {
    return { ok: false, reason: err instanceof OtsParseError ? `Not a valid proof: ${err.message}.` : "Not a valid proof." };
  }
  if (!equalBytes(parsed.fileDigest, sha256(body))) {
    return { ok: false, reason: "The proof is for other bytes: its digest is not the SHA-256 of this activity." };
  }
  const attestations = allAttestations(parsed.timestamp).map(({ attestation: a }) => ({
    kind: a.kind,
    detail: a.kind === "pending" ? a.uri : a.kind === "bitcoin" ? String(a.height) : bytesToHex(a.tag),
  }));
  const blocks: BlockCheck[] = [];
  for (const b of bitcoinAttestations(parsed.timestamp)) {
    const check = await checkBitcoinAttestation(ctx, b.msg, b.height, options);
    if (!check.ok) return { ok: false, reason: check.message };
    blocks.push(check);
  }
  return { ok: true, attestations, blocks };
}
