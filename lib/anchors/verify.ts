// Checking proofs against Bitcoin: one attestation against its block's merkle root, a stored anchor
// (verifyAnchor), and an `.ots` file against an activity's stored bytes (checkActivityOts).
import type { AppContext } from "@/lib/context";
import type { AnchorOptions } from "./batch";
import { allAttestations, parseDetached } from "./ots";
import { bytesToHex, equalBytes, OtsParseError, sha256 } from "./ots-bytes";
import { fetchBlock } from "./remote";
import { bitcoinAttestations, findAnchorOrThrow, readStoredTimestamp } from "./rows";
import { toView } from "./views";

export interface BlockCheck {
  ok: boolean;
  height: number;
  time: Date | null;
  message: string;
}

/** Checks one Bitcoin attestation: the message it sits on must be the block's merkle root. */
export async function checkBitcoinAttestation(ctx: AppContext, msg: Uint8Array, height: number, options: AnchorOptions): Promise<BlockCheck> {
  const block = await fetchBlock(ctx.config.otsEsploraUrl, height, options.remote);
  if (!block.ok) return { ok: false, height, time: null, message: `Could not check block ${height}: ${block.error}` };
  // Esplora shows the merkle root byte-reversed (Bitcoin's display order); the proof holds it raw.
  const expected = bytesToHex(Uint8Array.from(msg).reverse());
  if (msg.length !== 32 || expected !== block.merkleRoot) {
    return { ok: false, height, time: block.time, message: `Block ${height}'s merkle root does not match the proof.` };
  }
  return { ok: true, height, time: block.time, message: `Block ${height} (${block.time.toISOString()}) has this proof's merkle root.` };
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
  { ok: true; attestations: { kind: "pending" | "bitcoin" | "unknown"; detail: string }[]; blocks: BlockCheck[] } | { ok: false; reason: string };

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
