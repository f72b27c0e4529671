// Bytes for the OpenTimestamps format: hex, sha256, the reference's byte ordering, and the
// LEB128 writer and bounded reader every part of a proof is written and read with.
import { createHash } from "node:crypto";

/** The only error parsing throws: the input is not a proof we accept, and `message` says why. */
export class OtsParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtsParseError";
  }
}

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

export class Writer {
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

export class Reader {
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
