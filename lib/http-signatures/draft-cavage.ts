// draft-cavage-http-signatures-12: the `Signature` header that Mastodon and most of the
// fediverse send. Signing defaults to protocols.md §2: `algorithm="rsa-sha256"` over
// `(request-target) host date digest` (no digest without a body).
import type { KeyObject } from "node:crypto";
import { cavageCandidates, isCavageAlgorithm, keyKind, signBytes, verifyBytes, type CavageAlgorithm, type Rfc9421Algorithm } from "./algorithms";
import { sha256DigestHeader } from "./digest";
import {
  DEFAULT_MAX_SKEW_SECONDS,
  failure,
  requestHasBody,
  withAuthority,
  arrivedAuthority,
  withinWindow,
  type SignedRequest,
  type SignedHeaders,
  type VerifyOptions,
  type VerifyResult,
} from "./types";

export interface CavageSignOptions {
  privateKey: KeyObject;
  keyId: string;
  /** Default `rsa-sha256` for RSA keys, `hs2019` for Ed25519 keys (which cannot use `rsa-sha256`). */
  algorithm?: "rsa-sha256" | "hs2019";
  /** Default `(request-target) host date digest`, without `digest` when there is no body. */
  headers?: string[];
  now?: Date;
  /** Adds an `expires` parameter this many seconds after now; needed when `(expires)` is signed. */
  expiresInSeconds?: number;
}

export interface CavageVerifyOptions extends VerifyOptions {
  /**
   * Also accept a `(request-target)` computed without the query string when the URL has one.
   * Fedify (`sig/http.ts`) signs `(request-target)` with the path only, and GoToSocial verifies
   * both ways for that reason. Default true; it only matters for URLs with a query.
   */
  acceptQuerylessTarget?: boolean;
}

export interface CavageSignatureParams {
  keyId: string;
  /** Lower-cased, or undefined when the header has none. */
  algorithm?: string;
  /** Lower-cased covered header names, in order. */
  headers: string[];
  signature: Uint8Array;
  created?: number;
  expires?: number;
}

export type ParseCavageResult = { ok: true; params: CavageSignatureParams } | { ok: false; detail: string };

const PARAM_NAME = /[A-Za-z0-9_-]/;
const BASE64 = /^(?:[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2})$/;
const INTEGER = /^\d{1,15}$/;

/**
 * Parses a `Signature` header value: comma-separated `name=value` pairs, values quoted (commas
 * and escaped quotes allowed inside) or bare, whitespace around separators tolerated, parameter
 * names case-insensitive, unknown parameters ignored. A duplicated parameter, a missing
 * `keyId`/`signature`, an empty `headers` list or a non-integer `created`/`expires` is malformed.
 */
export function parseCavageSignature(value: string): ParseCavageResult {
  const raw = new Map<string, string>();
  let i = 0;
  const n = value.length;
  const ws = () => {
    while (i < n && (value[i] === " " || value[i] === "\t")) i++;
  };
  ws();
  if (i >= n) return { ok: false, detail: "empty Signature header" };
  while (i < n) {
    const start = i;
    while (i < n && PARAM_NAME.test(value[i])) i++;
    if (i === start) return { ok: false, detail: `expected a parameter name at offset ${i}` };
    const name = value.slice(start, i).toLowerCase();
    ws();
    if (value[i] !== "=") return { ok: false, detail: `expected "=" after ${name}` };
    i++;
    ws();
    let v = "";
    if (value[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = value[i++];
        if (c === "\\" && i < n) v += value[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else v += c;
      }
      if (!closed) return { ok: false, detail: `unterminated quoted value for ${name}` };
    } else {
      const s = i;
      while (i < n && value[i] !== "," && value[i] !== " " && value[i] !== "\t") i++;
      v = value.slice(s, i);
      if (!v) return { ok: false, detail: `empty value for ${name}` };
    }
    if (raw.has(name)) return { ok: false, detail: `duplicate parameter ${name}` };
    raw.set(name, v);
    ws();
    if (i >= n) break;
    if (value[i] !== ",") return { ok: false, detail: `expected "," at offset ${i}` };
    i++;
    ws();
    if (i >= n) return { ok: false, detail: "trailing comma" };
  }

  const keyId = raw.get("keyid");
  if (!keyId) return { ok: false, detail: "no keyId" };
  const sig = raw.get("signature");
  if (!sig || !BASE64.test(sig)) return { ok: false, detail: "no signature, or it is not base64" };
  // draft-cavage-12 §2.1.6: without `headers`, only `(created)` is signed.
  const headers = (raw.get("headers") ?? "(created)")
    .trim()
    .toLowerCase()
    .split(/[ \t]+/)
    .filter(Boolean);
  if (headers.length === 0) return { ok: false, detail: "empty headers list" };
  const params: CavageSignatureParams = {
    keyId,
    headers,
    signature: new Uint8Array(Buffer.from(sig, sig.includes("-") || sig.includes("_") ? "base64url" : "base64")),
  };
  const algorithm = raw.get("algorithm");
  if (algorithm !== undefined) params.algorithm = algorithm.toLowerCase();
  for (const key of ["created", "expires"] as const) {
    const t = raw.get(key);
    if (t === undefined) continue;
    if (!INTEGER.test(t)) return { ok: false, detail: `${key} is not an integer` };
    params[key] = Number(t);
  }
  if (params.signature.length === 0) return { ok: false, detail: "empty signature" };
  return { ok: true, params };
}

function requestTarget(method: string, url: URL, withQuery: boolean): string {
  return `${method.toLowerCase()} ${url.pathname}${withQuery ? url.search : ""}`;
}

type SigningString = { ok: true; text: string } | { ok: false; missing: string };

/** The draft-cavage signing string: one `name: value` line per covered header, joined by "\n". */
export function buildCavageSigningString(
  request: SignedRequest,
  headers: string[],
  params: { created?: number; expires?: number } = {},
  options: { withQuery?: boolean } = {},
): SigningString {
  const url = new URL(request.url);
  const lines: string[] = [];
  for (const name of headers) {
    let value: string | null;
    if (name === "(request-target)") value = requestTarget(request.method, url, options.withQuery ?? true);
    else if (name === "(created)") value = params.created === undefined ? null : String(params.created);
    else if (name === "(expires)") value = params.expires === undefined ? null : String(params.expires);
    else if (name === "host") value = request.headers.get("host") ?? url.host;
    else value = request.headers.get(name);
    if (value === null) return { ok: false, missing: name };
    lines.push(`${name}: ${value}`);
  }
  return { ok: true, text: lines.join("\n") };
}

/**
 * Signs a request with draft-cavage-12 and returns the headers to add: `Date` (when absent),
 * `Digest` (when there is a body, even an empty one) and `Signature`. `host` is signed from the
 * Host header, or the URL's host when there is none (what fetch will send).
 * @throws {TypeError} when the key cannot sign with the algorithm or a listed header is absent.
 */
export function signCavage(request: SignedRequest, options: CavageSignOptions): SignedHeaders {
  const { privateKey, keyId } = options;
  const now = options.now ?? new Date();
  const kind = keyKind(privateKey);
  const label = options.algorithm ?? (kind === "ed25519" ? "hs2019" : "rsa-sha256");
  let algorithm: Rfc9421Algorithm;
  if (kind === "rsa" && privateKey.asymmetricKeyType === "rsa") algorithm = "rsa-v1_5-sha256";
  else if (kind === "ed25519" && label === "hs2019") algorithm = "ed25519";
  else throw new TypeError(`cannot sign draft-cavage ${label} with a ${privateKey.asymmetricKeyType ?? "secret"} key`);

  const added: SignedHeaders = {};
  const headers = new Headers(request.headers);
  if (!headers.has("date")) headers.set("date", (added.Date = now.toUTCString()));
  const hasBody = request.body !== undefined;
  if (hasBody) headers.set("digest", (added.Digest = sha256DigestHeader(request.body ?? "")));

  const covered = (options.headers ?? ["(request-target)", "host", "date", ...(hasBody ? ["digest"] : [])]).map((h) => h.toLowerCase());
  const created = Math.floor(now.getTime() / 1000);
  const params: { created?: number; expires?: number } = {};
  if (covered.includes("(created)")) params.created = created;
  if (options.expiresInSeconds !== undefined) params.expires = created + options.expiresInSeconds;
  const base = buildCavageSigningString({ method: request.method, url: request.url, headers }, covered, params);
  if (!base.ok) throw new TypeError(`cannot sign: ${base.missing} is not available`);

  const signature = signBytes(algorithm, privateKey, new TextEncoder().encode(base.text)).toString("base64");
  const parts = [`keyId="${quote(keyId)}"`, `algorithm="${label}"`];
  if (params.created !== undefined) parts.push(`created=${params.created}`);
  if (params.expires !== undefined) parts.push(`expires=${params.expires}`);
  parts.push(`headers="${covered.join(" ")}"`, `signature="${signature}"`);
  added.Signature = parts.join(",");
  return added;
}

function quote(value: string): string {
  if (/["\\\r\n]/.test(value)) throw new TypeError(`keyId cannot contain quotes, backslashes or newlines: ${value}`);
  return value;
}

/**
 * Verifies a draft-cavage-12 `Signature` header. The signature must cover `(request-target)`,
 * `date` or `(created)`, the digest (`digest`, or `content-digest`) when the request has a body,
 * `host` when `expectedAuthority` is set (and then it is verified with that host), and any
 * `requiredHeaders`; the signed time must be within ±maxSkewSeconds and before
 * `expires`. The digest value itself is not checked here: call checkBodyDigest on the body.
 * Errors thrown by resolveKey/refreshKey propagate.
 */
export async function verifyCavage(request: SignedRequest, options: CavageVerifyOptions): Promise<VerifyResult> {
  const header = request.headers.get("signature");
  if (header === null) return failure("no_signature", "no Signature header");
  if (!URL.canParse(request.url)) return failure("malformed", "the request URL is not absolute");
  const parsed = parseCavageSignature(header);
  if (!parsed.ok) return failure("malformed", parsed.detail);
  const p = parsed.params;
  const keyId = p.keyId;
  const covered = p.headers;

  // 1. What must be covered.
  const expected = options.expectedAuthority;
  const required = ["(request-target)", ...(expected === undefined ? [] : ["host"]), ...(options.requiredHeaders ?? []).map((h) => h.toLowerCase())];
  for (const name of required) {
    if (!covered.includes(name)) {
      const why = name === "host" && expected !== undefined ? ` (it must name this server, ${expected})` : "";
      return failure("missing_required_header", `the signature does not cover ${name}${why}`, keyId);
    }
  }
  if (!covered.includes("date") && !covered.includes("(created)")) {
    return failure("missing_required_header", "the signature covers neither date nor (created)", keyId);
  }
  if (requestHasBody(request.method, options.hasBody) && !covered.includes("digest") && !covered.includes("content-digest")) {
    return failure("missing_required_header", "the request has a body but the signature does not cover digest", keyId);
  }

  // 2. Algorithm label, before any key lookup.
  const label = p.algorithm ?? "hs2019";
  if (!isCavageAlgorithm(label)) return failure("unsupported_algorithm", `algorithm ${label} is not supported`, keyId);

  // 3. Time.
  const now = options.now ?? new Date();
  const skew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (covered.includes("(created)") && p.created === undefined) return failure("malformed", "(created) is covered but there is no created parameter", keyId);
  if (covered.includes("(expires)") && p.expires === undefined) return failure("malformed", "(expires) is covered but there is no expires parameter", keyId);
  if (covered.includes("date")) {
    const date = request.headers.get("date");
    if (date === null) return failure("missing_required_header", "date is covered but the request has no Date header", keyId);
    const t = Date.parse(date);
    if (Number.isNaN(t)) return failure("malformed", "the Date header is not a date", keyId);
    if (!withinWindow(t / 1000, now, skew)) return failure("date_out_of_window", `Date ${date} is more than ${skew} s from now`, keyId);
  }
  if (p.created !== undefined && covered.includes("(created)") && !withinWindow(p.created, now, skew)) {
    return failure("date_out_of_window", `created ${p.created} is more than ${skew} s from now`, keyId);
  }
  if (p.expires !== undefined && now.getTime() / 1000 > p.expires) {
    return failure("date_out_of_window", `the signature expired at ${p.expires}`, keyId);
  }

  // 4. Signing strings (with the query, then without it when allowed). With expectedAuthority, the
  // host signed must be ours; the strings with the Host it arrived with only name the failure.
  const ours = expected === undefined ? request : withAuthority(request, expected);
  const built = signingStrings(ours, covered, p, options.acceptQuerylessTarget !== false);
  if (!built.ok) return failure("missing_required_header", `${built.missing} is covered but absent from the request`, keyId);
  const bases = built.texts;
  const arrived = arrivedAuthority(request);
  const foreign =
    expected !== undefined && arrived !== expected
      ? signingStrings(withAuthority(request, arrived), covered, p, options.acceptQuerylessTarget !== false)
      : null;

  // 5. Key and signature.
  const algorithm: CavageAlgorithm = label;
  const key = await options.resolveKey(keyId);
  if (!key) return failure("unknown_key", `no key for ${keyId}`, keyId);
  const result = check(label, key, bases, p.signature);
  if (result === "ok" || result === "unsupported_algorithm" || !options.refreshKey) return finish(result, key);
  const fresh = await options.refreshKey(keyId);
  if (!fresh || fresh.equals(key)) return finish(result, key);
  return finish(check(label, fresh, bases, p.signature), fresh);

  function finish(r: "ok" | "bad_signature" | "unsupported_algorithm" | "key_mismatch", used: KeyObject): VerifyResult {
    if (r === "bad_signature" && foreign?.ok && check(algorithm, used, foreign.texts, p.signature) === "ok") {
      return failure("wrong_authority", `the signature is for host ${arrived}, not for ${expected}`, keyId);
    }
    switch (r) {
      case "ok":
        return { ok: true, spec: "draft-cavage", keyId, algorithm: label, components: covered };
      case "unsupported_algorithm":
        return failure("unsupported_algorithm", `cannot verify ${label} with this key type`, keyId);
      case "key_mismatch":
        return failure("bad_signature", `the key for ${keyId} cannot make ${label} signatures`, keyId);
      case "bad_signature":
        return failure("bad_signature", "the signature does not verify", keyId);
    }
  }
}

function signingStrings(
  request: SignedRequest,
  covered: string[],
  params: { created?: number; expires?: number },
  querylessToo: boolean,
): { ok: true; texts: string[] } | { ok: false; missing: string } {
  const first = buildCavageSigningString(request, covered, params);
  if (!first.ok) return first;
  const texts = [first.text];
  if (querylessToo && new URL(request.url).search) {
    const second = buildCavageSigningString(request, covered, params, { withQuery: false });
    if (second.ok) texts.push(second.text);
  }
  return { ok: true, texts };
}

function check(
  label: CavageAlgorithm,
  key: KeyObject,
  bases: string[],
  signature: Uint8Array,
): "ok" | "bad_signature" | "unsupported_algorithm" | "key_mismatch" {
  if (keyKind(key) === "unsupported") return "unsupported_algorithm";
  const candidates = cavageCandidates(label, key);
  if (candidates.length === 0) return label === "hs2019" ? "unsupported_algorithm" : "key_mismatch";
  for (const base of bases) {
    const data = new TextEncoder().encode(base);
    for (const algorithm of candidates) {
      if (verifyBytes(algorithm, key, data, signature)) return "ok";
    }
  }
  return "bad_signature";
}
