// The OpenTimestamps proof format, written by hand after the reference implementation
// (python-opentimestamps: core/timestamp.py, core/op.py, core/notary.py, core/serialize.py).
// A timestamp is a tree: each node is a message, edges are operations (sha256, append, prepend…),
// leaves are attestations (a calendar's pending promise, a Bitcoin block header). Serialization
// must match the reference byte for byte, so forks are written in the reference's sort order.
// Parsing is bounded (depth, sizes, node count) and throws nothing but OtsParseError.
import { concatBytes, equalBytes, OtsParseError, Reader, Writer } from "./ots-bytes";
import {
  applyOp,
  compareAttestations,
  compareOps,
  DEFAULT_MAX_DEPTH,
  OP_SHA256,
  readAttestation,
  readOp,
  writeAttestation,
  writeOp,
  type OtsAttestation,
  type OtsOp,
} from "./ots-ops";

/** `\x00OpenTimestamps\x00\x00Proof\x00` + 8 magic bytes: the start of every detached `.ots` file. */
export const OTS_HEADER_MAGIC = Uint8Array.from([
  0x00, 0x4f, 0x70, 0x65, 0x6e, 0x54, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, 0x73, 0x00, 0x00, 0x50, 0x72, 0x6f, 0x6f, 0x66, 0x00, 0xbf, 0x89, 0xe2,
  0xe8, 0x84, 0xe8, 0x92, 0x94,
]);
export const OTS_MAJOR_VERSION = 1;
export const OTS_MEDIA_TYPE = "application/vnd.opentimestamps.v1";

/** Ours: forks are cheap to write and each one costs a hash to check, so a proof has a node budget. */
const DEFAULT_MAX_NODES = 10_000;

export interface OtsTimestamp {
  msg: Uint8Array;
  attestations: OtsAttestation[];
  ops: { op: OtsOp; stamp: OtsTimestamp }[];
}

export interface OtsParseLimits {
  /** Nesting depth of operations (reference: 256). */
  maxDepth?: number;
  /** Messages, i.e. tree nodes, in the whole proof. */
  maxNodes?: number;
}

export function newTimestamp(msg: Uint8Array): OtsTimestamp {
  return { msg, attestations: [], ops: [] };
}

function addAttestation(ts: OtsTimestamp, a: OtsAttestation): void {
  if (!ts.attestations.some((x) => compareAttestations(x, a) === 0)) ts.attestations.push(a);
}

/** The child of `ts` through `op`, created when missing (the reference's `ops.add`). */
function addOp(ts: OtsTimestamp, op: OtsOp): OtsTimestamp {
  const existing = ts.ops.find((e) => compareOps(e.op, op) === 0);
  if (existing) return existing.stamp;
  const stamp = newTimestamp(applyOp(op, ts.msg));
  ts.ops.push({ op, stamp });
  return stamp;
}

/** Adds every operation and attestation of `other` (same message) into `target`, in place. */
export function mergeTimestamp(target: OtsTimestamp, other: OtsTimestamp): void {
  if (!equalBytes(target.msg, other.msg)) throw new Error("cannot merge timestamps of different messages");
  for (const a of other.attestations) addAttestation(target, a);
  for (const { op, stamp } of other.ops) mergeTimestamp(addOp(target, op), stamp);
}

/** A timestamp of `msg` that follows `ops` and ends in `tail` (whose msg must be where ops lead). */
export function timestampFromPath(msg: Uint8Array, ops: OtsOp[], tail: OtsTimestamp): OtsTimestamp {
  const root = newTimestamp(msg);
  let node = root;
  for (const op of ops) node = addOp(node, op);
  mergeTimestamp(node, tail);
  return root;
}

/** Every (message, attestation) pair in the tree, depth first. */
export function allAttestations(ts: OtsTimestamp): { msg: Uint8Array; attestation: OtsAttestation }[] {
  const out: { msg: Uint8Array; attestation: OtsAttestation }[] = [];
  const walk = (t: OtsTimestamp): void => {
    for (const attestation of t.attestations) out.push({ msg: t.msg, attestation });
    for (const { stamp } of t.ops) walk(stamp);
  };
  walk(ts);
  return out;
}

function writeTimestamp(w: Writer, ts: OtsTimestamp): void {
  // Timestamp.serialize in core/timestamp.py: every entry but the last is preceded by 0xff;
  // attestations (sorted) come before operations (sorted).
  if (ts.attestations.length === 0 && ts.ops.length === 0) throw new Error("an empty timestamp cannot be serialized");
  const atts = [...ts.attestations].sort(compareAttestations);
  const ops = [...ts.ops].sort((a, b) => compareOps(a.op, b.op));
  for (const a of atts.slice(0, -1)) {
    w.bytes([0xff, 0x00]);
    writeAttestation(w, a);
  }
  if (ops.length === 0) {
    w.bytes([0x00]);
    writeAttestation(w, atts[atts.length - 1]);
    return;
  }
  if (atts.length > 0) {
    w.bytes([0xff, 0x00]);
    writeAttestation(w, atts[atts.length - 1]);
  }
  for (const { op, stamp } of ops.slice(0, -1)) {
    w.bytes([0xff]);
    writeOp(w, op);
    writeTimestamp(w, stamp);
  }
  const last = ops[ops.length - 1];
  writeOp(w, last.op);
  writeTimestamp(w, last.stamp);
}

/** The reference serialization of a timestamp (without its message). */
export function serializeTimestamp(ts: OtsTimestamp): Uint8Array {
  const w = new Writer();
  writeTimestamp(w, ts);
  return w.done();
}

function readTimestamp(r: Reader, msg: Uint8Array, depth: number, budget: { nodes: number }): OtsTimestamp {
  if (depth <= 0) throw new OtsParseError("the proof is nested too deeply");
  if (--budget.nodes < 0) throw new OtsParseError("the proof has too many branches");
  const ts = newTimestamp(msg);
  const entry = (tag: number): void => {
    if (tag === 0x00) {
      addAttestation(ts, readAttestation(r));
      return;
    }
    const op = readOp(r, tag);
    const result = applyOp(op, msg);
    const child = readTimestamp(r, result, depth - 1, budget);
    const existing = ts.ops.find((e) => compareOps(e.op, op) === 0);
    if (existing) mergeTimestamp(existing.stamp, child);
    else ts.ops.push({ op, stamp: child });
  };
  let tag = r.byte();
  while (tag === 0xff) {
    entry(r.byte());
    tag = r.byte();
  }
  entry(tag);
  return ts;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OtsParseError) throw err;
    // Whatever else escapes (a RangeError from a pathological input…) is still "not a proof".
    throw new OtsParseError(`not a valid proof (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Parses a serialized timestamp of `msg` that must span all of `bytes`. @throws OtsParseError */
export function parseTimestamp(bytes: Uint8Array, msg: Uint8Array, limits: OtsParseLimits = {}): OtsTimestamp {
  return guard(() => {
    const r = new Reader(bytes);
    const ts = readTimestamp(r, msg, limits.maxDepth ?? DEFAULT_MAX_DEPTH, { nodes: limits.maxNodes ?? DEFAULT_MAX_NODES });
    if (!r.eof) throw new OtsParseError("the proof has trailing bytes");
    return ts;
  });
}

export interface DetachedOts {
  /** The SHA-256 of the timestamped file. */
  fileDigest: Uint8Array;
  timestamp: OtsTimestamp;
}

/** A detached `.ots` file: header, version, sha256, the file digest, then the timestamp. */
export function serializeDetached(ots: DetachedOts): Uint8Array {
  if (ots.fileDigest.length !== 32) throw new Error("a sha256 file digest is 32 bytes");
  return concatBytes(OTS_HEADER_MAGIC, Uint8Array.from([OTS_MAJOR_VERSION, OP_SHA256]), ots.fileDigest, serializeTimestamp(ots.timestamp));
}

/** Parses a detached `.ots` file (sha256 files only, as L2 makes them). @throws OtsParseError */
export function parseDetached(bytes: Uint8Array, limits: OtsParseLimits = {}): DetachedOts {
  return guard(() => {
    const r = new Reader(bytes);
    if (bytes.length < OTS_HEADER_MAGIC.length || !equalBytes(r.bytes(OTS_HEADER_MAGIC.length), OTS_HEADER_MAGIC)) {
      throw new OtsParseError("not an OpenTimestamps proof (bad magic header)");
    }
    const major = r.varuint();
    if (major !== OTS_MAJOR_VERSION) throw new OtsParseError(`version ${major} proofs are not supported`);
    const hashOp = r.byte();
    if (hashOp !== OP_SHA256) throw new OtsParseError(`file hash operation 0x${hashOp.toString(16)} is not sha256`);
    const fileDigest = r.bytes(32);
    const timestamp = readTimestamp(r, fileDigest, limits.maxDepth ?? DEFAULT_MAX_DEPTH, { nodes: limits.maxNodes ?? DEFAULT_MAX_NODES });
    if (!r.eof) throw new OtsParseError("the proof has trailing bytes");
    return { fileDigest, timestamp };
  });
}
