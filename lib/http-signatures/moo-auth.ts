// Moo-Auth-1 (protocols.md §3, bovine's BIN-1/BIN-2): a client signs each request with its own
// Ed25519 key, named by a did:key in `Authorization: Moo-Auth-1 <did:key>`, the signature in
// `X-Moo-Signature: z<base58btc>`. These are the pure parts — the signing string, signing and the
// checks that need no database. Whether the did:key is registered, and replay refusal, belong to
// lib/clients. Verification never throws: every failure is a result with a reason.
import { createHash, sign, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { decodeMultibaseBase58btc, didKeyFromEd25519, encodeMultibaseBase58btc, parseDidKey } from "@/lib/crypto";
import { bodyBytes, type SignedRequest } from "./types";

/** The `Authorization` scheme name. */
const MOO_AUTH_SCHEME = "Moo-Auth-1";
/** protocols.md §3: `Date` within ±5 minutes. */
export const MOO_AUTH_MAX_SKEW_SECONDS = 300;

const SIGNATURE_BYTES = 64;
/** A 64-byte signature is at most 88 base58 digits; anything much longer is not worth decoding. */
const MAX_SIGNATURE_CHARS = 100;
const MAX_DID_CHARS = 128;

/** What the signing string is built from. */
export interface MooAuthSigningInput {
  method: string;
  /** The path without the query string, as sent on the request line. */
  path: string;
  host: string;
  date: string;
  /** The `Digest` header (POST only). */
  digest?: string | null;
}

/**
 * The signed string: `(request-target)`, `host`, `date` and, on POST, `digest`, each `name: value`,
 * joined by `\n` without a trailing newline (protocols.md §3).
 */
export function buildMooAuthSigningString(input: MooAuthSigningInput): string {
  const lines = [`(request-target): ${input.method.toLowerCase()} ${input.path}`, `host: ${input.host}`, `date: ${input.date}`];
  if (input.method.toUpperCase() === "POST") lines.push(`digest: ${input.digest ?? ""}`);
  return lines.join("\n");
}

/** The Moo-Auth-1 `Digest` value of a body: `sha-256=<base64>` (lower case, as bovine writes it). */
export function mooAuthDigest(body: Uint8Array | string): string {
  return `sha-256=${createHash("sha256").update(bodyBytes(body)).digest("base64")}`;
}

export interface SignMooAuthOptions {
  method: string;
  /** The URL the request goes to: its host and path (the query is not signed). */
  url: string;
  /** The bytes that will be sent (POST). */
  body?: Uint8Array | string;
  privateKey: KeyObject;
  /** Default: the current time. */
  now?: Date;
  /** Override the `Host` to sign (default: `new URL(url).host`, what fetch sends). */
  host?: string;
}

/**
 * Signs a request: returns the headers to send (`Authorization`, `X-Moo-Signature`, `Date`, and on
 * POST `Digest`). The did:key comes from the private key's public half.
 * @throws {TypeError} when the key is not Ed25519
 */
export function signMooAuth(options: SignMooAuthOptions): Record<string, string> {
  const url = new URL(options.url);
  const method = options.method.toUpperCase();
  const date = (options.now ?? new Date()).toUTCString();
  const digest = method === "POST" ? mooAuthDigest(options.body ?? new Uint8Array()) : null;
  const signingString = buildMooAuthSigningString({ method, path: url.pathname, host: options.host ?? url.host, date, digest });
  const signature = encodeMultibaseBase58btc(sign(null, Buffer.from(signingString, "utf8"), options.privateKey));
  const headers: Record<string, string> = {
    Authorization: `${MOO_AUTH_SCHEME} ${didKeyFromEd25519(options.privateKey)}`,
    "X-Moo-Signature": signature,
    Date: date,
  };
  if (digest) headers.Digest = digest;
  return headers;
}

export type MooAuthFailureReason =
  /** No `Authorization: Moo-Auth-1 …` header. */
  | "not_moo_auth"
  /** The did:key in the Authorization header is not an Ed25519 did:key. */
  | "bad_did_key"
  /** No `X-Moo-Signature` header. */
  | "missing_signature"
  /** The signature is not `z` + base58btc of 64 bytes. */
  | "malformed_signature"
  /** `Host` missing or not this server. */
  | "wrong_host"
  /** `Date` missing or unreadable. */
  | "missing_date"
  /** `Date` more than the window away from now. */
  | "date_out_of_window"
  /** POST without a `Digest`, or one that is not SHA-256 of the body. */
  | "bad_digest"
  /** The signature does not verify over the signing string with the did:key's key. */
  | "bad_signature";

export type MooAuthVerifyResult =
  | {
      ok: true;
      didKey: string;
      /** The `X-Moo-Signature` value as sent (with replay refusal, it names this request). */
      signature: string;
    }
  | { ok: false; reason: MooAuthFailureReason; detail: string };

/** A signed request as Moo-Auth-1 checks it: the path the client addressed (without the query string) in place of the URL. */
export type MooAuthRequest = Omit<SignedRequest, "url"> & { path: string };

export interface VerifyMooAuthOptions {
  /** This server's own `host[:port]` (config.domain); the `Host` header must equal it. */
  expectedHost: string;
  /** The clock (protocols.md §3: injectable so the published vectors verify). */
  now: Date;
  /** Default MOO_AUTH_MAX_SKEW_SECONDS. */
  maxSkewSeconds?: number;
  /**
   * Other paths this same resource answers at (a rewrite may have changed the path the route
   * sees): a signature over any of them is accepted.
   */
  alternativePaths?: string[];
}

function fail(reason: MooAuthFailureReason, detail: string): MooAuthVerifyResult {
  return { ok: false, reason, detail };
}

/** Whether the request claims Moo-Auth-1 (its Authorization scheme), whatever else is wrong with it. */
export function isMooAuthRequest(headers: Headers): boolean {
  return /^moo-auth-1(\s|$)/i.test(headers.get("authorization") ?? "");
}

const DID_KEY_DEFECTS: Record<string, string> = {
  not_did_key: "is not a did:key (did:key:z…)",
  wrong_prefix: "is not base58btc multibase (it must start with 'z')",
  bad_base58: "has a character outside the base58btc alphabet",
  wrong_multicodec: "is not an Ed25519 key (multicodec 0xed01, did:key:z6Mk…)",
  wrong_length: "does not hold exactly a 32-byte Ed25519 key",
  invalid_key: "is not a usable Ed25519 public key",
};

/** A sentence naming what is wrong with a did:key (for 400 and 401 messages). */
export function describeDidKeyDefect(reason: string): string {
  return DID_KEY_DEFECTS[reason] ?? "is not an Ed25519 did:key";
}

/**
 * Checks a Moo-Auth-1 request (protocols.md §3): the did:key, the `Host`, the `Date` window, on
 * POST the `Digest` against the raw body, and the Ed25519 signature over the signing string. It
 * does not know which keys are registered, nor which signatures were already seen.
 */
export function verifyMooAuth(req: MooAuthRequest, options: VerifyMooAuthOptions): MooAuthVerifyResult {
  try {
    return verifyUnsafe(req, options);
  } catch (err) {
    // Nothing above should throw; if a library does on garbage, it is still a refusal, not a 500.
    return fail("malformed_signature", `the request could not be checked (${err instanceof Error ? err.message : String(err)})`);
  }
}

function verifyUnsafe(req: MooAuthRequest, options: VerifyMooAuthOptions): MooAuthVerifyResult {
  const authorization = req.headers.get("authorization") ?? "";
  const m = /^moo-auth-1\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return fail("not_moo_auth", "the Authorization header must be 'Moo-Auth-1 <did:key>'");
  const didKey = m[1];
  if (didKey.length > MAX_DID_CHARS) return fail("bad_did_key", "the did:key in Authorization is too long to be an Ed25519 did:key");
  const parsed = parseDidKey(didKey);
  if (!parsed.ok) return fail("bad_did_key", `the did:key in Authorization ${describeDidKeyDefect(parsed.reason)}`);

  const signature = req.headers.get("x-moo-signature")?.trim() ?? "";
  if (!signature) return fail("missing_signature", "the X-Moo-Signature header is missing");
  if (!signature.startsWith("z")) return fail("malformed_signature", "X-Moo-Signature must be 'z' + base58btc of the 64-byte signature");
  if (signature.length > MAX_SIGNATURE_CHARS) return fail("malformed_signature", "X-Moo-Signature is too long for a 64-byte signature");
  const decoded = decodeMultibaseBase58btc(signature);
  if (!decoded.ok) return fail("malformed_signature", "X-Moo-Signature has a character outside the base58btc alphabet");
  if (decoded.bytes.length !== SIGNATURE_BYTES) {
    return fail("malformed_signature", `X-Moo-Signature holds ${decoded.bytes.length} bytes, not a 64-byte Ed25519 signature`);
  }

  const host = req.headers.get("host");
  if (!host) return fail("wrong_host", "the Host header is missing");
  if (host.toLowerCase() !== options.expectedHost.toLowerCase()) {
    return fail("wrong_host", `the Host header names ${host}, not this server (${options.expectedHost})`);
  }

  const date = req.headers.get("date");
  if (!date) return fail("missing_date", "the Date header is missing");
  const at = Date.parse(date);
  if (Number.isNaN(at)) return fail("missing_date", "the Date header is not an HTTP date");
  const skew = (at - options.now.getTime()) / 1000;
  const window = options.maxSkewSeconds ?? MOO_AUTH_MAX_SKEW_SECONDS;
  if (Math.abs(skew) > window) {
    return fail("date_out_of_window", `the Date is ${Math.round(Math.abs(skew))} s ${skew < 0 ? "old" : "ahead"}; at most ${window} s either way`);
  }

  const method = req.method.toUpperCase();
  let digest: string | null = null;
  if (method === "POST") {
    digest = req.headers.get("digest");
    if (!digest) return fail("bad_digest", "a POST must carry a Digest header (sha-256=<base64>) and sign it");
    if (!digestMatches(digest, req.body ?? new Uint8Array())) return fail("bad_digest", "the Digest header is not the SHA-256 of the body");
  }

  const paths = [req.path, ...(options.alternativePaths ?? [])];
  const signatureBytes = Buffer.from(decoded.bytes);
  for (const path of new Set(paths)) {
    const signingString = buildMooAuthSigningString({ method, path, host, date, digest });
    if (verify(null, Buffer.from(signingString, "utf8"), parsed.publicKey, signatureBytes)) return { ok: true, didKey, signature };
  }
  return fail(
    "bad_signature",
    `the signature does not verify with the key of ${didKey} over the signed request (method, path, host, date${digest ? ", digest" : ""})`,
  );
}

/** `sha-256=<base64>` (algorithm in any case) equal to the body's SHA-256. */
function digestMatches(header: string, body: Uint8Array | string): boolean {
  const m = /^\s*sha-256=([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) return false;
  const expected = createHash("sha256").update(bodyBytes(body)).digest();
  const got = Buffer.from(m[1], "base64");
  return got.length === expected.length && timingSafeEqual(got, expected);
}
