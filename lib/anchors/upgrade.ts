// Upgrades: the calendars holding an anchor's pending attestations are asked for their answers;
// an answer is kept only when its Bitcoin attestations match their blocks, and one confirms the anchor.
import type { AppContext } from "@/lib/context";
import { errorMessage, getLogger } from "@/lib/log";
import { submitAnchor, UPGRADE_BATCH, type AnchorOptions } from "./batch";
import { mergeTimestamp, type OtsTimestamp } from "./ots";
import { equalBytes, hexToBytes } from "./ots-bytes";
import { fetchFromCalendar } from "./remote";
import { bitcoinAttestations, entriesFor, findAnchorOrThrow, lockAnchor, readEntries, readStoredTimestamp, storedBytes, writeEntries } from "./rows";
import { checkBitcoinAttestation, type BlockCheck } from "./verify";
import { toView, type AnchorView } from "./views";

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return equalBytes(a, b);
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
        const nodes = findOutermostNodes(ts, answer.msg);
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
        ...(confirming && confirmed ? { state: "confirmed", blockHeight: confirmed.height, blockTime: confirmed.time, confirmedAt: now } : {}),
      },
    });
    return timestampChanged || confirming;
  });
  return { anchor: toView(ctx, await findAnchorOrThrow(ctx, root)), changed };
}

/**
 * Every node whose message is `msg`, without looking below a match, so a message that repeats down
 * one branch (reverse, reverse) takes an answer once, at its outermost node.
 */
function findOutermostNodes(ts: OtsTimestamp, msg: Uint8Array): OtsTimestamp[] {
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
      getLogger().error({ component: "anchors", root, err }, `upgrading ${root} failed: ${errorMessage(err)}`);
    }
  }
  return { checked: pending.length, changed };
}
