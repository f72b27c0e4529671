// Batching: unanchored activities go into one merkle tree (under a lock, in one transaction) whose
// root becomes a new anchor, which is then submitted to every calendar; anchorPending and anchorNow.
import type { AppContext } from "@/lib/context";
import { enforceRateLimit } from "@/lib/http";
import { buildMerkleBatch } from "./merkle";
import { allAttestations, mergeTimestamp, newTimestamp, type OtsTimestamp } from "./ots";
import { bytesToHex, hexToBytes, sha256 } from "./ots-bytes";
import { serializeOps } from "./ots-ops";
import { submitToCalendar, type RemoteOptions } from "./remote";
import { bitcoinAttestations, entriesFor, findAnchorOrThrow, hasAnything, lockAnchor, storedBytes, writeEntries, type CalendarEntry } from "./rows";
import { toView, type AnchorView } from "./views";

/** Activities per batch; more are anchored in further batches of the same run. */
export const DEFAULT_BATCH_SIZE = 5000;
/** Pending anchors looked at per upgrade run (oldest first). */
export const UPGRADE_BATCH = 200;
/** Only one batcher at a time, across processes (storeActivity uses 726173). */
const BATCH_LOCK_KEY = 726174;

export interface AnchorOptions {
  /** Activities per batch (default 5000). */
  batchSize?: number;
  /** Deadlines and fetch of the calendar and Esplora calls. */
  remote?: RemoteOptions;
  /** Leaf nonces (tests fix them). */
  nonce?: (index: number) => Uint8Array;
}

function pendingCommitments(ts: OtsTimestamp): string[] {
  const set = new Set<string>();
  for (const { msg, attestation } of allAttestations(ts)) if (attestation.kind === "pending") set.add(bytesToHex(msg));
  return [...set];
}

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
      const entries = ctx.config.otsCalendars.map((url): CalendarEntry => ({
        url,
        state: "pending",
        attempts: 0,
        error: null,
        answeredAt: null,
        commitments: [],
      }));
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
export async function submitAnchor(ctx: AppContext, root: string, options: AnchorOptions): Promise<void> {
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
        lastError: answered ? null : `No calendar answered; the submission is retried on the next run. ${errors.join(" ")}`.trim(),
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
