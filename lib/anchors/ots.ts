// The OpenTimestamps proof format, written by hand after the reference implementation
// (python-opentimestamps: core/timestamp.py, core/op.py, core/notary.py, core/serialize.py).
// A timestamp is a tree: each node is a message, edges are operations (sha256, append, prepend…),
// leaves are attestations (a calendar's pending promise, a Bitcoin block header). Serialization
// must match the reference byte for byte, so forks are written in the reference's sort order.
// Parsing is bounded (depth, sizes, node count) and throws nothing but OtsParseError.
import { createHash } from "node:crypto";

/** `\x00OpenTimestamps\x00\x00Proof\x00` + 8 magic bytes: the start of every detached `.ots` file. */
export const OTS_HEADER_MAGIC = Uint8Array.from([
  0x00, 0x4f, 0x70, 0x65, 0x6e, 0x54, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, 0x73, 0x00, 0x00, 0x50, 0x72, 0x6f,
  0x6f, 0x66, 0x00, 0xbf, 0x89, 0xe2, 0xe8, 0x84, 0xe8, 0x92, 0x94,
]);
export const OTS_MAJOR_VERSION = 1;
export const OTS_MEDIA_TYPE = "application/vnd.opentimestamps.v1";

export const OP_SHA1 = 0x02;
export const OP_RIPEMD160 = 0x03;
export const OP_SHA256 = 0x08;
export const OP_APPEND = 0xf0;
export const OP_PREPEND = 0xf1;
export const OP_REVERSE = 0xf2;
export const OP_HEXLIFY = 0xf3;

export const PENDING_TAG = hexToBytes("83dfe30d2ef90c8e");
export const BITCOIN_TAG = hexToBytes("0588960d73d71901");

/** Reference limits (core/op.py, core/notary.py). */
const MAX_MSG_LENGTH = 4096;
const MAX_RESULT_LENGTH = 4096;
const MAX_PAYLOAD_SIZE = 8192;
const MAX_URI_LENGTH = 1000;
const DEFAULT_MAX_DEPTH = 256;
/** Ours: forks are cheap to write and each one costs a hash to check, so a proof has a node budget. */
const DEFAULT_MAX_NODES = 10_000;
const URI_CHARS = /^[A-Za-z0-9\-._/:]*$/;

export type OtsOp =
  | { kind: "sha256" }
  | { kind: "sha1" }
  | { kind: "ripemd160" }
  | { kind: "reverse" }
  | { kind: "hexlify" }
  | { kind: "append"; arg: Uint8Array }
  | { kind: "prepend"; arg: Uint8Array };

export type OtsAttestation =
  | { kind: "pending"; uri: string }
  | { kind: "bitcoin"; height: number }
  /** Any other notary (Litecoin, Ethereum, future ones), kept exactly as read. */
  | { kind: "unknown"; tag: Uint8Array; payload: Uint8Array };

export interface OtsTimestamp {
  msg: Uint8Array;
  attestations: OtsAttestation[];
  ops: { op: OtsOp; stamp: OtsTimestamp }[];
}

/** The only error parsing throws: the input is not a proof we accept, and `message` says why. */
export class OtsParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtsParseError";
  }
}

export interface OtsParseLimits {
  /** Nesting depth of operations (reference: 256). */
  maxDepth?: number;
  /** Messages, i.e. tree nodes, in the whole proof. */
  maxNodes?: number;
}

// ---------------------------------------------------------------------------------------------
// Bytes

export function hexToBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError("not an even-length hex string");
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return Uint8Array.from(createHash("sha256").update(data).digest());
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Python's bytes ordering: lexicographic, a prefix first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0;
}

class Writer {
  private chunks: Uint8Array[] = [];
  bytes(b: Uint8Array | number[]): void {
    this.chunks.push(b instanceof Uint8Array ? b : Uint8Array.from(b));
  }
  varuint(value: number): void {
    // LEB128, as serialize.py write_varuint.
    const out: number[] = [];
    let v = value;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      out.push(b);
    } while (v > 0);
    this.bytes(out);
  }
  varbytes(b: Uint8Array): void {
    this.varuint(b.length);
    this.bytes(b);
  }
  done(): Uint8Array {
    return concatBytes(...this.chunks);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get eof(): boolean {
    return this.pos >= this.buf.length;
  }
  byte(): number {
    if (this.pos >= this.buf.length) throw new OtsParseError("the proof ends too early");
    return this.buf[this.pos++];
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new OtsParseError("the proof ends too early");
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  varuint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      // 7 groups of 7 bits (49 bits) stay exact in a double; no honest proof needs more.
      if (i >= 7) throw new OtsParseError("a number in the proof is too large");
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (!(b & 0x80)) return value;
      scale *= 128;
    }
  }
  varbytes(max: number, min = 0): Uint8Array {
    const n = this.varuint();
    if (n > max) throw new OtsParseError(`a field is ${n} bytes long, more than the ${max} allowed`);
    if (n < min) throw new OtsParseError(`a field is ${n} bytes long, less than the ${min} required`);
    return this.bytes(n);
  }
}

// ---------------------------------------------------------------------------------------------
// Operations

function opTag(op: OtsOp): number {
  switch (op.kind) {
    case "sha256":
      return OP_SHA256;
    case "sha1":
      return OP_SHA1;
    case "ripemd160":
      return OP_RIPEMD160;
    case "reverse":
      return OP_REVERSE;
    case "hexlify":
      return OP_HEXLIFY;
    case "append":
      return OP_APPEND;
    case "prepend":
      return OP_PREPEND;
  }
}

function opArg(op: OtsOp): Uint8Array | null {
  return op.kind === "append" || op.kind === "prepend" ? op.arg : null;
}

/** Reference Op ordering: by tag, then by argument bytes. */
export function compareOps(a: OtsOp, b: OtsOp): number {
  const t = opTag(a) - opTag(b);
  if (t !== 0) return t;
  const aa = opArg(a);
  const ba = opArg(b);
  return aa && ba ? compareBytes(aa, ba) : 0;
}

/** Applies an operation to a message (core/op.py `__call__`), with the reference's length limits. */
export function applyOp(op: OtsOp, msg: Uint8Array): Uint8Array {
  if (msg.length > (op.kind === "hexlify" ? MAX_RESULT_LENGTH / 2 : MAX_MSG_LENGTH)) {
    throw new OtsParseError(`an operation is applied to a message of ${msg.length} bytes, more than allowed`);
  }
  let out: Uint8Array;
  switch (op.kind) {
    case "sha256":
      out = sha256(msg);
      break;
    case "sha1":
    case "ripemd160":
      out = Uint8Array.from(createHash(op.kind).update(msg).digest());
      break;
    case "reverse":
      if (msg.length === 0) throw new OtsParseError("reverse of an empty message");
      out = Uint8Array.from(msg).reverse();
      break;
    case "hexlify":
      if (msg.length === 0) throw new OtsParseError("hexlify of an empty message");
      out = new TextEncoder().encode(bytesToHex(msg));
      break;
    case "append":
      out = concatBytes(msg, op.arg);
      break;
    case "prepend":
      out = concatBytes(op.arg, msg);
      break;
  }
  if (out.length > MAX_RESULT_LENGTH) throw new OtsParseError(`an operation result of ${out.length} bytes is too long`);
  return out;
}

function writeOp(w: Writer, op: OtsOp): void {
  w.bytes([opTag(op)]);
  const arg = opArg(op);
  if (arg) w.varbytes(arg);
}

function readOp(r: Reader, tag: number): OtsOp {
  switch (tag) {
    case OP_SHA256:
      return { kind: "sha256" };
    case OP_SHA1:
      return { kind: "sha1" };
    case OP_RIPEMD160:
      return { kind: "ripemd160" };
    case OP_REVERSE:
      return { kind: "reverse" };
    case OP_HEXLIFY:
      return { kind: "hexlify" };
    case OP_APPEND:
      return { kind: "append", arg: r.varbytes(MAX_RESULT_LENGTH, 1) };
    case OP_PREPEND:
      return { kind: "prepend", arg: r.varbytes(MAX_RESULT_LENGTH, 1) };
    default:
      throw new OtsParseError(`unknown operation 0x${tag.toString(16).padStart(2, "0")}`);
  }
}

/** Serializes a linear list of operations (no forks, no attestation): a path to be continued. */
export function serializeOps(ops: OtsOp[]): Uint8Array {
  const w = new Writer();
  for (const op of ops) writeOp(w, op);
  return w.done();
}

/** Reads a path written by serializeOps. @throws OtsParseError */
export function parseOps(bytes: Uint8Array): OtsOp[] {
  const r = new Reader(bytes);
  const ops: OtsOp[] = [];
  while (!r.eof) {
    if (ops.length >= DEFAULT_MAX_DEPTH) throw new OtsParseError("the path is too long");
    ops.push(readOp(r, r.byte()));
  }
  return ops;
}

/** The message a path leads to from `msg`. @throws OtsParseError */
export function applyOps(ops: OtsOp[], msg: Uint8Array): Uint8Array {
  return ops.reduce((m, op) => applyOp(op, m), msg);
}

// ---------------------------------------------------------------------------------------------
// Attestations

function attestationTag(a: OtsAttestation): Uint8Array {
  return a.kind === "pending" ? PENDING_TAG : a.kind === "bitcoin" ? BITCOIN_TAG : a.tag;
}

/** Reference ordering (core/notary.py `__lt__`): by tag, then within a kind by uri / height / payload. */
export function compareAttestations(a: OtsAttestation, b: OtsAttestation): number {
  const t = compareBytes(attestationTag(a), attestationTag(b));
  if (t !== 0) return t;
  if (a.kind === "pending" && b.kind === "pending") return a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0;
  if (a.kind === "bitcoin" && b.kind === "bitcoin") return a.height - b.height;
  if (a.kind === "unknown" && b.kind === "unknown") return compareBytes(a.payload, b.payload);
  return 0;
}

function writeAttestation(w: Writer, a: OtsAttestation): void {
  w.bytes(attestationTag(a));
  const payload = new Writer();
  if (a.kind === "pending") payload.varbytes(new TextEncoder().encode(a.uri));
  else if (a.kind === "bitcoin") payload.varuint(a.height);
  else payload.bytes(a.payload);
  w.varbytes(payload.done());
}

function readAttestation(r: Reader): OtsAttestation {
  const tag = r.bytes(8);
  const payload = r.varbytes(MAX_PAYLOAD_SIZE);
  const p = new Reader(payload);
  let out: OtsAttestation;
  if (equalBytes(tag, PENDING_TAG)) {
    const uri = p.varbytes(MAX_URI_LENGTH);
    const text = Buffer.from(uri).toString("latin1");
    if (!URI_CHARS.test(text)) throw new OtsParseError("a pending attestation's URI has characters a calendar URI cannot have");
    out = { kind: "pending", uri: text };
  } else if (equalBytes(tag, BITCOIN_TAG)) {
    out = { kind: "bitcoin", height: p.varuint() };
  } else {
    return { kind: "unknown", tag, payload };
  }
  if (!p.eof) throw new OtsParseError("an attestation has trailing bytes");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timestamps

export function newTimestamp(msg: Uint8Array): OtsTimestamp {
  return { msg, attestations: [], ops: [] };
}

function addAttestation(ts: OtsTimestamp, a: OtsAttestation): void {
  if (!ts.attestations.some((x) => compareAttestations(x, a) === 0)) ts.attestations.push(a);
}

/** The child of `ts` through `op`, created when missing (the reference's `ops.add`). */
export function addOp(ts: OtsTimestamp, op: OtsOp): OtsTimestamp {
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

/** Every node of the tree whose message is `msg`. */
export function findNodes(ts: OtsTimestamp, msg: Uint8Array): OtsTimestamp[] {
  const out: OtsTimestamp[] = [];
  const walk = (t: OtsTimestamp): void => {
    if (equalBytes(t.msg, msg)) out.push(t);
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
