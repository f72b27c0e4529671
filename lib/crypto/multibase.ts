// Multibase base58btc (`z…`), Ed25519 public keys as multicodec-prefixed multibase (`z6Mk…`, the
// FEP-521a Multikey form) and did:key (protocols.md §3): `did:key:z` + base58btc(0xed 0x01 ‖ key).
import { createPublicKey, type KeyObject } from "node:crypto";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const DIGIT_OF = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

/** Multicodec `ed25519-pub` (0xed, as the varint 0xed 0x01). */
const ED25519_PUB_MULTICODEC = [0xed, 0x01] as const;
const ED25519_PUBLIC_KEY_LENGTH = 32;
/** Longest base58btc text worth decoding for a 34-byte multikey (it is 46–47 digits). */
const MAX_MULTIKEY_DIGITS = 64;
const DID_KEY_PREFIX = "did:key:";

/** Writes bytes in base58btc (Bitcoin alphabet; each leading zero byte becomes `1`), no prefix. */
export function encodeBase58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = []; // base-58 digits, least significant first
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] * 256;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = "1".repeat(zeros);
  for (let k = digits.length - 1; k >= 0; k--) out += ALPHABET[digits[k]];
  return out;
}

/**
 * Reads base58btc text (no prefix); null when a character is outside the alphabet. Quadratic in the
 * length: bound untrusted input before calling it.
 */
export function decodeBase58btc(text: string): Uint8Array | null {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  const bytes: number[] = []; // base-256 digits, least significant first
  for (let i = zeros; i < text.length; i++) {
    const digit = DIGIT_OF.get(text[i]);
    if (digit === undefined) return null;
    let carry = digit;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let k = 0; k < bytes.length; k++) out[out.length - 1 - k] = bytes[k];
  return out;
}

/** Multibase base58btc: `z` + base58btc(bytes). */
export function encodeMultibaseBase58btc(bytes: Uint8Array): string {
  return `z${encodeBase58btc(bytes)}`;
}

/** Why a multibase value, multikey or did:key was refused. */
export type MultibaseFailure =
  /** Not a base58btc multibase value (it must start with `z`). */
  | "wrong_prefix"
  /** A character outside the base58btc alphabet. */
  | "bad_base58"
  /** Not multicodec `ed25519-pub` (0xed 0x01), e.g. `z6LS…` (x25519). */
  | "wrong_multicodec"
  /** Not 0xed 0x01 followed by exactly 32 bytes. */
  | "wrong_length"
  /** The 32 bytes are not usable as an Ed25519 public key. */
  | "invalid_key";

export type DecodeMultibaseResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: "wrong_prefix" | "bad_base58" };

/** Reads a multibase base58btc value (`z…`). Quadratic in the length: bound untrusted input first. */
export function decodeMultibaseBase58btc(text: string): DecodeMultibaseResult {
  if (!text.startsWith("z")) return { ok: false, reason: "wrong_prefix" };
  const bytes = decodeBase58btc(text.slice(1));
  return bytes ? { ok: true, bytes } : { ok: false, reason: "bad_base58" };
}

/**
 * The 32 raw bytes of an Ed25519 public key (a private key gives its public half).
 * @throws {TypeError} when the key is not Ed25519.
 */
export function exportEd25519PublicKeyBytes(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== "ed25519") throw new TypeError(`not an Ed25519 key: ${key.asymmetricKeyType ?? key.type}`);
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: "jwk" });
  if (typeof x !== "string") throw new TypeError("the Ed25519 key has no public part");
  return Buffer.from(x, "base64url");
}

/** Multibase texts of keys already encoded: a KeyObject never changes, and every actor GET encodes its key. */
const multibaseByKey = new WeakMap<KeyObject, string>();

/** The Ed25519 public key as multibase: `z6Mk…` = `z` + base58btc(0xed 0x01 ‖ 32 bytes). */
export function ed25519PublicKeyToMultibase(publicKey: KeyObject): string {
  const known = multibaseByKey.get(publicKey);
  if (known !== undefined) return known;
  const text = encodeMultibaseBase58btc(Buffer.concat([Buffer.from(ED25519_PUB_MULTICODEC), exportEd25519PublicKeyBytes(publicKey)]));
  multibaseByKey.set(publicKey, text);
  return text;
}

export type MultibaseToEd25519Result = { ok: true; publicKey: KeyObject } | { ok: false; reason: MultibaseFailure };

/** Reads a `z6Mk…` multikey value into an Ed25519 public key; never throws. */
/** How every Ed25519 multikey (34 bytes starting 0xed 0x01) looks in base58btc multibase. */
const ED25519_MULTIBASE_PREFIX = "z6Mk";

export function multibaseToEd25519PublicKey(text: unknown): MultibaseToEd25519Result {
  if (typeof text !== "string" || !text.startsWith("z")) return { ok: false, reason: "wrong_prefix" };
  if (text.length - 1 > MAX_MULTIKEY_DIGITS) return { ok: false, reason: "wrong_length" };
  const decoded = decodeMultibaseBase58btc(text);
  if (!decoded.ok) return decoded;
  const { bytes } = decoded;
  // Base58 is positional: a truncated or padded Ed25519 key still reads `z6Mk…` but decodes to other
  // leading bytes, so for that visible prefix the length is what is wrong, not the codec.
  if (text.startsWith(ED25519_MULTIBASE_PREFIX) && bytes.length !== 2 + ED25519_PUBLIC_KEY_LENGTH) return { ok: false, reason: "wrong_length" };
  // Compare the bytes there are: a lone 0xed (or nothing) is a length problem, not another codec.
  const codecMatches = bytes[0] === ED25519_PUB_MULTICODEC[0] && (bytes.length < 2 || bytes[1] === ED25519_PUB_MULTICODEC[1]);
  if (bytes.length > 0 && !codecMatches) return { ok: false, reason: "wrong_multicodec" };
  if (bytes.length !== 2 + ED25519_PUBLIC_KEY_LENGTH) return { ok: false, reason: "wrong_length" };
  try {
    const x = Buffer.from(bytes.subarray(2)).toString("base64url");
    return { ok: true, publicKey: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }) };
  } catch {
    return { ok: false, reason: "invalid_key" };
  }
}

/** The did:key of an Ed25519 public key: `did:key:z6Mk…`. */
export function didKeyFromEd25519(publicKey: KeyObject): string {
  return `${DID_KEY_PREFIX}${ed25519PublicKeyToMultibase(publicKey)}`;
}

export type ParseDidKeyResult = { ok: true; publicKey: KeyObject; multibase: string } | { ok: false; reason: "not_did_key" | MultibaseFailure };

/**
 * Reads an Ed25519 did:key (`did:key:z6Mk…`, nothing after the key: no fragment, path or query);
 * refuses other multicodecs, bad base58 and wrong lengths. Never throws.
 */
export function parseDidKey(did: unknown): ParseDidKeyResult {
  if (typeof did !== "string" || !did.startsWith(`${DID_KEY_PREFIX}z`)) return { ok: false, reason: "not_did_key" };
  const multibase = did.slice(DID_KEY_PREFIX.length);
  if (/[#/?]/.test(multibase)) return { ok: false, reason: "not_did_key" };
  const key = multibaseToEd25519PublicKey(multibase);
  return key.ok ? { ok: true, publicKey: key.publicKey, multibase } : key;
}
