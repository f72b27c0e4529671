import { createHash, timingSafeEqual } from "node:crypto";
import { bodyBytes } from "./types";

export type DigestKind = "digest" | "content-digest";

export type BodyDigestResult =
  | {
      ok: true;
      /** The header that vouched for the body: "content-digest" when both did. */
      kind: DigestKind;
      /** Every digest header that was present and matched (both, when both were sent). */
      kinds: DigestKind[];
    }
  | { ok: false; reason: "missing" | "mismatch" | "unsupported"; detail: string };

// A Map, not an object literal: a peer-chosen name such as "constructor" must not find anything.
const HASHES = new Map<string, "sha256" | "sha512">([
  ["sha-256", "sha256"],
  ["sha-512", "sha512"],
]);

function hash(algorithm: "sha256" | "sha512", body: Uint8Array | string): Buffer {
  return createHash(algorithm).update(bodyBytes(body)).digest();
}

/** RFC 3230 `Digest` value for a body: `SHA-256=<base64>`. */
export function sha256DigestHeader(body: Uint8Array | string): string {
  return `SHA-256=${hash("sha256", body).toString("base64")}`;
}

/** RFC 9530 `Content-Digest` value for a body: `sha-256=:<base64>:`. */
export function contentDigestHeader(body: Uint8Array | string): string {
  return `sha-256=:${hash("sha256", body).toString("base64")}:`;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Entry = { algorithm: string; value: string };
type HeaderCheck = "match" | "mismatch" | "unsupported";

/** `SHA-256=abc=, MD5=…` → entries; null when the syntax is broken. */
function parseDigest(value: string): Entry[] | null {
  const entries: Entry[] = [];
  for (const part of value.split(",")) {
    const p = part.trim();
    const eq = p.indexOf("=");
    if (eq <= 0) return null;
    entries.push({ algorithm: p.slice(0, eq).trim().toLowerCase(), value: p.slice(eq + 1).trim() });
  }
  return entries;
}

/**
 * `sha-256=:abc=:, sha-512=:…:` → entries. Content-Digest is a Structured Field dictionary; we
 * read it leniently (algorithm keys in any case, member parameters ignored) since base64 holds no
 * comma. Null when the syntax is broken.
 */
function parseContentDigest(value: string): Entry[] | null {
  const entries: Entry[] = [];
  for (const part of value.split(",")) {
    const m = /^([A-Za-z*][A-Za-z0-9_.*-]*)\s*=\s*:([^:]*):\s*(;.*)?$/.exec(part.trim());
    if (!m) return null;
    entries.push({ algorithm: m[1].toLowerCase(), value: m[2] });
  }
  return entries;
}

function checkEntries(entries: Entry[] | null, body: Uint8Array | string): HeaderCheck {
  if (!entries) return "mismatch";
  let supported = 0;
  for (const { algorithm, value } of entries) {
    const h = HASHES.get(algorithm);
    if (!h) continue;
    supported++;
    if (!BASE64.test(value) || value.length % 4 !== 0) return "mismatch";
    const expected = hash(h, body);
    const got = Buffer.from(value, "base64");
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return "mismatch";
  }
  return supported > 0 ? "match" : "unsupported";
}

/**
 * Checks a body against its `Digest` (RFC 3230) and/or `Content-Digest` (RFC 9530) header, with
 * SHA-256 or SHA-512 (algorithm names in any case; others such as MD5 or SHA-1 are ignored). When
 * both headers are present both must match, and within a header every supported digest must
 * match. Call it on the raw bytes read once from the request, before trusting them.
 */
export function checkBodyDigest(headers: Headers, body: Uint8Array | string): BodyDigestResult {
  const digest = headers.get("digest");
  const contentDigest = headers.get("content-digest");
  if (digest === null && contentDigest === null) {
    return { ok: false, reason: "missing", detail: "neither Digest nor Content-Digest is present" };
  }
  const checks: [DigestKind, HeaderCheck][] = [];
  if (contentDigest !== null) checks.push(["content-digest", checkEntries(parseContentDigest(contentDigest), body)]);
  if (digest !== null) checks.push(["digest", checkEntries(parseDigest(digest), body)]);
  const bad = checks.find(([, c]) => c === "mismatch") ?? checks.find(([, c]) => c === "unsupported");
  if (bad) {
    const [kind, check] = bad;
    return check === "mismatch"
      ? { ok: false, reason: "mismatch", detail: `the ${kind} header does not match the body` }
      : { ok: false, reason: "unsupported", detail: `the ${kind} header has no SHA-256 or SHA-512 digest` };
  }
  const kinds = checks.map(([kind]) => kind);
  return { ok: true, kind: kinds[0], kinds };
}
