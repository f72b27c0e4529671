// RFC 9421 HTTP Message Signatures: `Signature-Input` + `Signature`, requests only. Signing covers
// `"@method" "@target-uri" "@authority" "content-digest" "date"` (no content-digest without a
// body) with `created`, `keyid` and `alg`, under the label `sig1`.
import type { KeyObject } from "node:crypto";
import { defaultAlgorithmFor, isRfc9421Algorithm, keyFits, keyKind, signBytes, verifyBytes, type Rfc9421Algorithm } from "./algorithms";
import { contentDigestHeader } from "./digest";
import {
  parseDictionary,
  serializeInnerList,
  serializeItem,
  sfInteger,
  sfItem,
  sfString,
  StructuredFieldError,
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  type Parameters,
} from "./structured-fields";
import {
  DEFAULT_MAX_SKEW_SECONDS,
  failure,
  requestHasBody,
  arrivedAuthority,
  withAuthority,
  withinWindow,
  type SignedRequest,
  type SignedHeaders,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
} from "./types";

export interface Rfc9421SignOptions {
  privateKey: KeyObject;
  keyId: string;
  now?: Date;
  /** Default `rsa-v1_5-sha256` for RSA keys and `ed25519` for Ed25519 keys. */
  algorithm?: Rfc9421Algorithm;
  /** Default `sig1`. */
  label?: string;
  /** Adds `expires` this many seconds after `created`. */
  expiresInSeconds?: number;
}

export interface Rfc9421VerifyOptions extends VerifyOptions {
  /** Verify only this label; by default every label is tried in order and the first valid one wins. */
  label?: string;
}

/** More signatures than this in one request is refused rather than tried one by one. */
const MAX_SIGNATURES = 8;

type Base = { ok: true; text: string } | { ok: false; reason: "missing_required_header" | "malformed"; detail: string };

const DERIVED: Record<string, (method: string, url: URL) => string> = {
  "@method": (method) => method.toUpperCase(),
  "@target-uri": (_, url) => url.href,
  "@authority": (_, url) => url.host,
  "@scheme": (_, url) => url.protocol.slice(0, -1),
  "@request-target": (_, url) => `${url.pathname}${url.search}`,
  "@path": (_, url) => url.pathname || "/",
  // RFC 9421 §2.2.7: without a query the value is "?" alone.
  "@query": (_, url) => url.search || "?",
};

/**
 * The signature base of RFC 9421 §2.5 for a request: one `"<component>": <value>` line per
 * covered component, then `"@signature-params": <the serialised inner list with its parameters>`.
 * Supported components: HTTP fields (lower-case names, no parameters) and the request-derived
 * components above; anything else (`@query-param`, `;sf`, `;key`, `;bs`, `;req`…) is malformed.
 */
export function buildRfc9421SignatureBase(request: SignedRequest, covered: InnerList): Base {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, reason: "malformed", detail: "the request URL is not absolute" };
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const component of covered.items) {
    if (component.value.type !== "string") return { ok: false, reason: "malformed", detail: "a component identifier is not a string" };
    const name = component.value.value;
    const id = serializeItem(component);
    if (seen.has(id)) return { ok: false, reason: "malformed", detail: `${id} is covered twice` };
    seen.add(id);
    if (component.params.size > 0) return { ok: false, reason: "malformed", detail: `unsupported component parameters on ${id}` };
    let value: string | null;
    if (name.startsWith("@")) {
      const derive = Object.hasOwn(DERIVED, name) ? DERIVED[name] : undefined;
      if (!derive) return { ok: false, reason: "malformed", detail: `unsupported derived component ${name}` };
      value = derive(request.method, url);
    } else {
      if (name !== name.toLowerCase() || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
        return { ok: false, reason: "malformed", detail: `invalid field name ${JSON.stringify(name)}` };
      }
      value = request.headers.get(name);
      if (value === null) return { ok: false, reason: "missing_required_header", detail: `${name} is covered but absent from the request` };
    }
    lines.push(`${id}: ${value}`);
  }
  lines.push(`"@signature-params": ${serializeInnerList(covered)}`);
  return { ok: true, text: lines.join("\n") };
}

/**
 * Signs a request with RFC 9421 and returns the headers to add: `Content-Digest` (when there is
 * a body, even an empty one), `Date` (when absent), `Signature-Input` and `Signature`. Existing
 * Signature-Input/Signature headers are replaced, not extended.
 * @throws {TypeError} when the key cannot sign with the algorithm, or keyId/label cannot be encoded.
 */
export function signRfc9421(request: SignedRequest, options: Rfc9421SignOptions): SignedHeaders {
  const { privateKey, keyId } = options;
  const now = options.now ?? new Date();
  const label = options.label ?? "sig1";
  if (!/^[a-z*][a-z0-9_.*-]*$/.test(label)) throw new TypeError(`not a valid signature label: ${label}`);
  if (/[^\x20-\x7e]/.test(keyId)) throw new TypeError("keyId must be printable ASCII");
  const algorithm = options.algorithm ?? defaultAlgorithmFor(privateKey);
  if (!algorithm || !keyFits(algorithm, privateKey)) {
    throw new TypeError(`cannot sign ${algorithm ?? "RFC 9421"} with a ${privateKey.asymmetricKeyType ?? "secret"} key`);
  }

  const added: SignedHeaders = {};
  const headers = new Headers(request.headers);
  const hasBody = request.body !== undefined;
  if (hasBody) headers.set("content-digest", (added["Content-Digest"] = contentDigestHeader(request.body ?? "")));
  if (!headers.has("date")) headers.set("date", (added.Date = now.toUTCString()));

  const created = Math.floor(now.getTime() / 1000);
  const params: Parameters = new Map<string, BareItem>([
    ["created", sfInteger(created)],
    ["keyid", sfString(keyId)],
    ["alg", sfString(algorithm)],
  ]);
  if (options.expiresInSeconds !== undefined) params.set("expires", sfInteger(created + options.expiresInSeconds));
  const names = ["@method", "@target-uri", "@authority", ...(hasBody ? ["content-digest"] : []), "date"];
  const covered: InnerList = { kind: "inner-list", items: names.map((n) => sfItem(sfString(n))), params };

  const base = buildRfc9421SignatureBase({ method: request.method, url: request.url, headers }, covered);
  if (!base.ok) throw new TypeError(`cannot sign: ${base.detail}`);
  const signature = signBytes(algorithm, privateKey, new TextEncoder().encode(base.text));
  added["Signature-Input"] = `${label}=${serializeInnerList(covered)}`;
  added.Signature = `${label}=:${signature.toString("base64")}:`;
  return added;
}

function param(params: Parameters, name: string): BareItem | undefined {
  return params.get(name);
}

/**
 * Verifies RFC 9421 signatures. A signature counts when it covers `@method` and the target
 * (`@target-uri`, or `@authority` with `@path` or `@request-target`), `content-digest` (or
 * `digest`) when the request has a body, and any `requiredHeaders`; with `expectedAuthority`, the
 * authority (`@authority` or `@target-uri`) is verified as that value, and so is a covered `host`; has a `keyid` and a
 * `created` within ±maxSkewSeconds (and a covered `Date` within it too); is not past `expires`;
 * and verifies with the key. `alg` may be rsa-v1_5-sha256, rsa-v1_5-sha512, rsa-pss-sha512,
 * ed25519, ecdsa-p256-sha256 or ecdsa-p384-sha384, or absent (then the key type decides).
 * The first valid label wins; when none is valid the first label's failure is returned. The
 * digest value itself is not checked here: call checkBodyDigest on the body.
 * Errors thrown by resolveKey/refreshKey propagate.
 */
export async function verifyRfc9421(request: SignedRequest, options: Rfc9421VerifyOptions): Promise<VerifyResult> {
  const inputHeader = request.headers.get("signature-input");
  const signatureHeader = request.headers.get("signature");
  if (inputHeader === null) return failure("no_signature", "no Signature-Input header");
  if (signatureHeader === null) return failure("malformed", "Signature-Input without a Signature header");
  let inputs: Dictionary;
  let signatures: Dictionary;
  try {
    inputs = parseDictionary(inputHeader, { rejectDuplicateKeys: true });
    signatures = parseDictionary(signatureHeader, { rejectDuplicateKeys: true });
  } catch (err) {
    if (err instanceof StructuredFieldError) return failure("malformed", `not a structured-field dictionary: ${err.message}`);
    throw err;
  }
  let labels = [...inputs.keys()];
  if (options.label !== undefined) {
    if (!inputs.has(options.label)) return failure("no_signature", `no signature labelled ${options.label}`);
    labels = [options.label];
  }
  if (labels.length === 0) return failure("malformed", "Signature-Input holds no signature");
  if (labels.length > MAX_SIGNATURES) return failure("malformed", `more than ${MAX_SIGNATURES} signatures`);

  let first: VerifyFailure | undefined;
  for (const label of labels) {
    const result = await verifyLabel(request, label, inputs.get(label), signatures.get(label), options);
    if (result.ok) return result;
    first ??= result;
  }
  return first ?? failure("malformed", "no signature could be checked");
}

async function verifyLabel(
  request: SignedRequest,
  label: string,
  input: Item | InnerList | undefined,
  signatureMember: Item | InnerList | undefined,
  options: Rfc9421VerifyOptions,
): Promise<VerifyResult> {
  if (!input || input.kind !== "inner-list") return failure("malformed", `${label} in Signature-Input is not an inner list`);
  const keyidItem = param(input.params, "keyid");
  const keyId = keyidItem?.type === "string" ? keyidItem.value : undefined;
  if (keyId === undefined) return failure("malformed", `${label} has no keyid string`);
  if (!signatureMember || signatureMember.kind !== "item" || signatureMember.value.type !== "bytes") {
    return failure("malformed", `no byte-sequence Signature for ${label}`, keyId);
  }
  const signature = signatureMember.value.value;

  // 1. Coverage.
  const names: string[] = [];
  for (const item of input.items) {
    if (item.value.type !== "string") return failure("malformed", `${label} covers a non-string component`, keyId);
    names.push(item.value.value);
  }
  const has = (n: string) => names.includes(n);
  if (!has("@method")) return failure("missing_required_header", "the signature does not cover @method", keyId);
  if (!has("@target-uri") && !(has("@authority") && (has("@path") || has("@request-target")))) {
    return failure("missing_required_header", "the signature covers neither @target-uri nor @authority with @path", keyId);
  }
  if (requestHasBody(request.method, options.hasBody) && !has("content-digest") && !has("digest")) {
    return failure("missing_required_header", "the request has a body but the signature does not cover content-digest", keyId);
  }
  for (const name of options.requiredHeaders ?? []) {
    if (!has(name.toLowerCase())) return failure("missing_required_header", `the signature does not cover ${name}`, keyId);
  }
  // @target-uri holds the authority as much as @authority does (RFC 9421 §2.2.2), and both are
  // computed from expectedAuthority below, so either binds the signature to this server.
  const expected = options.expectedAuthority;
  if (expected !== undefined && !has("@authority") && !has("@target-uri")) {
    return failure("missing_required_header", `the signature covers neither @authority nor @target-uri (it must name this server, ${expected})`, keyId);
  }

  // 2. Parameters: alg before any key lookup, then time.
  const algItem = param(input.params, "alg");
  let declared: Rfc9421Algorithm | undefined;
  if (algItem !== undefined) {
    if (algItem.type !== "string") return failure("malformed", "alg is not a string", keyId);
    if (!isRfc9421Algorithm(algItem.value)) return failure("unsupported_algorithm", `alg ${algItem.value} is not supported`, keyId);
    declared = algItem.value;
  }
  const createdItem = param(input.params, "created");
  if (createdItem === undefined) return failure("missing_required_header", "the signature has no created parameter", keyId);
  if (createdItem.type !== "integer") return failure("malformed", "created is not an integer", keyId);
  const expiresItem = param(input.params, "expires");
  if (expiresItem !== undefined && expiresItem.type !== "integer") return failure("malformed", "expires is not an integer", keyId);
  const now = options.now ?? new Date();
  const skew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (!withinWindow(createdItem.value, now, skew)) {
    return failure("date_out_of_window", `created ${createdItem.value} is more than ${skew} s from now`, keyId);
  }
  if (expiresItem !== undefined && now.getTime() / 1000 > expiresItem.value) {
    return failure("date_out_of_window", `the signature expired at ${expiresItem.value}`, keyId);
  }
  if (has("date")) {
    const date = request.headers.get("date");
    const t = date === null ? NaN : Date.parse(date);
    if (date !== null && Number.isNaN(t)) return failure("malformed", "the Date header is not a date", keyId);
    if (date !== null && !withinWindow(t / 1000, now, skew)) return failure("date_out_of_window", `Date ${date} is more than ${skew} s from now`, keyId);
  }

  // 3. Signature base (this also catches covered headers that are absent). With expectedAuthority
  // the authority signed must be ours; the base with the one the request arrived with only names
  // the failure.
  const base = buildRfc9421SignatureBase(expected === undefined ? request : withAuthority(request, expected), input);
  if (!base.ok) return failure(base.reason, base.detail, keyId);
  const data = new TextEncoder().encode(base.text);
  const arrived = arrivedAuthority(request);
  const foreign = expected !== undefined && arrived !== expected ? buildRfc9421SignatureBase(withAuthority(request, arrived), input) : null;

  // 4. Key and signature.
  const key = await options.resolveKey(keyId);
  if (!key) return failure("unknown_key", `no key for ${keyId}`, keyId);
  let used = key;
  let outcome = check(key, declared, data, signature);
  if (outcome.result !== "ok" && outcome.result !== "unsupported_algorithm" && options.refreshKey) {
    const fresh = await options.refreshKey(keyId);
    if (fresh && !fresh.equals(key)) {
      used = fresh;
      outcome = check(fresh, declared, data, signature);
    }
  }
  if (outcome.result === "bad_signature" && foreign?.ok && check(used, declared, new TextEncoder().encode(foreign.text), signature).result === "ok") {
    return failure("wrong_authority", `the signature is for host ${arrived}, not for ${expected}`, keyId);
  }
  switch (outcome.result) {
    case "ok":
      return { ok: true, spec: "rfc9421", keyId, algorithm: outcome.algorithm, components: names, label };
    case "unsupported_algorithm":
      return failure("unsupported_algorithm", `cannot verify with a ${key.asymmetricKeyType ?? "secret"} key`, keyId);
    case "key_mismatch":
      return failure("bad_signature", `the key for ${keyId} cannot make ${outcome.algorithm} signatures`, keyId);
    case "bad_signature":
      return failure("bad_signature", "the signature does not verify", keyId);
  }
}

function check(
  key: KeyObject,
  declared: Rfc9421Algorithm | undefined,
  data: Uint8Array,
  signature: Uint8Array,
): { result: "ok" | "bad_signature" | "key_mismatch"; algorithm: Rfc9421Algorithm } | { result: "unsupported_algorithm" } {
  if (keyKind(key) === "unsupported") return { result: "unsupported_algorithm" };
  const algorithm = declared ?? defaultAlgorithmFor(key);
  if (!algorithm) return { result: "unsupported_algorithm" };
  if (!keyFits(algorithm, key)) return { result: "key_mismatch", algorithm };
  return { result: verifyBytes(algorithm, key, data, signature) ? "ok" : "bad_signature", algorithm };
}
