// The batch tree: each leaf digest gets a random 16-byte nonce and a sha256 (as the reference
// client's `stamp` does, so a proof never reveals a neighbour's digest), then the nonced leaves are
// paired exactly like python-opentimestamps `make_merkle_tree` (core/timestamp.py): left + right,
// sha256; an odd node is carried up to the end of the next level. Each leaf gets its own path of
// operations to the root.
import { randomBytes } from "node:crypto";
import { concatBytes, sha256 } from "./ots-bytes";
import { applyOps, type OtsOp } from "./ots-ops";

const LEAF_NONCE_BYTES = 16;

export interface MerkleBatch {
  root: Uint8Array;
  /** Per leaf, in input order: the operations from the leaf digest to the root. */
  paths: OtsOp[][];
}

/**
 * Builds the tree over `leaves` (32-byte digests). `nonce` is injectable so tests can fix the tree.
 * @throws Error when there are no leaves
 */
export function buildMerkleBatch(
  leaves: Uint8Array[],
  nonce: (index: number) => Uint8Array = () => Uint8Array.from(randomBytes(LEAF_NONCE_BYTES)),
): MerkleBatch {
  if (leaves.length === 0) throw new Error("a merkle tree needs at least one leaf");
  const paths: OtsOp[][] = leaves.map(() => []);
  interface Node {
    msg: Uint8Array;
    leaves: number[];
  }
  let level: Node[] = leaves.map((leaf, i) => {
    const n = nonce(i);
    paths[i].push({ kind: "append", arg: n }, { kind: "sha256" });
    return { msg: sha256(concatBytes(leaf, n)), leaves: [i] };
  });
  while (level.length > 1) {
    const next: Node[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const left = level[i];
      const right = level[i + 1];
      for (const l of left.leaves) paths[l].push({ kind: "append", arg: right.msg }, { kind: "sha256" });
      for (const l of right.leaves) paths[l].push({ kind: "prepend", arg: left.msg }, { kind: "sha256" });
      next.push({ msg: sha256(concatBytes(left.msg, right.msg)), leaves: [...left.leaves, ...right.leaves] });
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return { root: level[0].msg, paths };
}

/** Where a path leads from a leaf (a self-check after building, and for tests). */
export function walkPath(leaf: Uint8Array, path: OtsOp[]): Uint8Array {
  return applyOps(path, leaf);
}
