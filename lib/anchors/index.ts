// OpenTimestamps anchoring (product.md §7): batches of activities (leaf = SHA-256 of the stored
// signed bytes) in a merkle tree whose root goes to the calendars of OTS_CALENDARS; upgrades to
// Bitcoin attestations checked against OTS_ESPLORA_URL; the `.ots` proof of every activity. Owns the
// `.ots` format (ots.ts on ots-ops.ts and ots-bytes.ts), the tree (merkle.ts) and the calendar /
// Esplora clients (remote.ts); views, batch, upgrade and verify share rows.ts. The activities
// themselves are the registry's, the schedule is lib/jobs'.
export { anchorNow, anchorPending, DEFAULT_BATCH_SIZE, type AnchorOptions } from "./batch";
export {
  countAnchors,
  countUnanchored,
  getActivityAnchor,
  getActivityOts,
  getAnchorDetail,
  getAnchorStateCounts,
  listAnchors,
  type AnchorCalendarView,
  type AnchorDetail,
  type AnchorView,
} from "./views";
export { upgradeAnchor, upgradeAnchors } from "./upgrade";
export { checkActivityOts, verifyAnchor, type AnchorVerification, type OtsCheck } from "./verify";
// The `.ots` format and the batch tree, for the stub calendar (e2e/fixtures) and the benchmarks,
// which build and read real proofs.
export { buildMerkleBatch } from "./merkle";
export { allAttestations, OTS_MEDIA_TYPE, parseDetached, serializeTimestamp, timestampFromPath, type OtsTimestamp } from "./ots";
export { bytesToHex, concatBytes, hexToBytes, sha256 } from "./ots-bytes";
export { applyOps, type OtsOp } from "./ots-ops";
export { anchorDetailQuery, listAnchorsQuery } from "./schemas";

/** The queue whose worker anchors pending activities and upgrades pending anchors. */
export const ANCHOR_JOB = "anchor";

/**
 * The cron of the anchor job for ANCHOR_INTERVAL_MINUTES, or null for 0 (on demand only). Cron
 * cannot express every interval: intervals below an hour use a minute step (restarting each hour), longer
 * intervals round to whole hours, then whole days.
 */
export function anchorSchedule(minutes: number): string | null {
  if (minutes <= 0) return null;
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `0 */${hours} * * *`;
  const days = Math.min(Math.round(hours / 24), 31);
  return days <= 1 ? "0 0 * * *" : `0 0 */${days} * *`;
}
