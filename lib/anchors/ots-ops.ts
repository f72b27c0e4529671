// What a timestamp's nodes hold: operations (its edges: sha256, append, prepend…) and attestations
// (its leaves: a calendar's pending promise, a Bitcoin block), each with its binary form and the
// reference's sort order (core/op.py, core/notary.py).
import { createHash } from "node:crypto";
import { bytesToHex, compareBytes, concatBytes, equalBytes, hexToBytes, OtsParseError, Reader, sha256, Writer } from "./ots-bytes";

const OP_SHA1 = 0x02;
const OP_RIPEMD160 = 0x03;
export const OP_SHA256 = 0x08;
const OP_APPEND = 0xf0;
const OP_PREPEND = 0xf1;
const OP_REVERSE = 0xf2;
const OP_HEXLIFY = 0xf3;

const PENDING_TAG = hexToBytes("83dfe30d2ef90c8e");
const BITCOIN_TAG = hexToBytes("0588960d73d71901");

/** Reference limits (core/op.py, core/notary.py). */
const MAX_MSG_LENGTH = 4096;
const MAX_RESULT_LENGTH = 4096;
const MAX_PAYLOAD_SIZE = 8192;
const MAX_URI_LENGTH = 1000;
export const DEFAULT_MAX_DEPTH = 256;
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

export function writeOp(w: Writer, op: OtsOp): void {
  w.bytes([opTag(op)]);
  const arg = opArg(op);
  if (arg) w.varbytes(arg);
}

export function readOp(r: Reader, tag: number): OtsOp {
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

export function writeAttestation(w: Writer, a: OtsAttestation): void {
  w.bytes(attestationTag(a));
  const payload = new Writer();
  if (a.kind === "pending") payload.varbytes(new TextEncoder().encode(a.uri));
  else if (a.kind === "bitcoin") payload.varuint(a.height);
  else payload.bytes(a.payload);
  w.varbytes(payload.done());
}

export function readAttestation(r: Reader): OtsAttestation {
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
