// The Art DAG activity signature (protocols.md §1): "RsaSignature2017" in name only — an
// RSASSA-PKCS1-v1_5/SHA-256 signature over SHA-256(canon(options)) ‖ SHA-256(canon(doc)), where
// doc is six members rebuilt from the activity and canon is Python's canonical JSON.
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { privateKeyFromPem } from "./keys";
import { canonicalJson, CanonicalJsonError } from "./canonical-json";

const ACTIVITY_CONTEXT = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT = "https://w3id.org/security/v1";
const SIGNATURE_TYPE = "RsaSignature2017";
const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The `signature` block an activity carries (the options' `@context` is not stored). */
export interface ArtDagSignature {
  type: "RsaSignature2017";
  /** The actor's key id, `{actor}#main-key`. */
  creator: string;
  /** UTC, second precision, `Z`: `YYYY-MM-DDTHH:MM:SSZ`. */
  created: string;
  /** Base64 (standard, padded) RSASSA-PKCS1-v1_5/SHA-256 signature over the signing input. */
  signatureValue: string;
}

/**
 * The members every activity has. Only `type`, `id`, `actor`, `object` and `published` (plus the
 * fixed ActivityStreams context) are signed; other members (`to`, `cc`, `proof`, a longer
 * `@context`) are served but lie outside the signature.
 */
export interface ActivityMembers {
  "@context": string | readonly unknown[];
  type: string;
  id: string;
  actor: string;
  object: Record<string, unknown>;
  published: string;
  [member: string]: unknown;
}

/** An activity before signing. */
export interface ActivityWithoutSignature extends ActivityMembers {
  signature?: never;
}

/** An activity carrying its Art DAG signature. */
export interface Activity extends ActivityMembers {
  signature: ArtDagSignature;
}

/** What {@link signActivity} needs besides the activity. */
export interface SignActivityOptions {
  /** The actor's RSA private key (PEM, PKCS#8 or PKCS#1). */
  privateKeyPem: string;
  /** The actor's key id; must be `{activity.actor}#main-key`. */
  keyId: string;
  /** Signing time, `YYYY-MM-DDTHH:MM:SSZ`. */
  created: string;
}

/** Tuning for {@link verifyActivitySignature}. */
export interface VerifyActivitySignatureOptions {
  /** When given, the signature's `creator` must also equal this key id. */
  expectedCreator?: string;
}

/** Why a signature was not accepted, or that it was. */
export type VerifyActivitySignatureResult =
  { ok: true } | { ok: false; reason: "no_signature" | "wrong_type" | "wrong_creator" | "malformed" | "not_canonicalizable" | "bad_signature" };

/** The members of the signature options a verifier rebuilds from the `signature` block. */
export interface SignatureOptionsInput {
  creator: string;
  created: string;
}

/** The six members that are signed, rebuilt from an activity (step 1). */
interface SignedDocument {
  "@context": string;
  type: unknown;
  id: unknown;
  actor: unknown;
  object: unknown;
  published: unknown;
}

/**
 * Signs an activity with the actor's RSA key and returns it with the `signature` block added;
 * every other member is kept as given. Store and serve the result as is: changing any signed
 * member afterwards invalidates it.
 * @throws {CanonicalJsonError} when a signed member cannot round-trip through Python's JSON.
 * @throws {TypeError} on misuse: already signed, a key id that is not the actor's, a malformed
 *   time, or a key that is not RSA.
 */
export function signActivity(activity: ActivityWithoutSignature, options: SignActivityOptions): Activity {
  if ((activity as Record<string, unknown>).signature !== undefined) throw new TypeError("activity is already signed");
  if (typeof activity.actor !== "string") throw new TypeError("activity.actor must be a string");
  if (options.keyId !== `${activity.actor}#main-key`) {
    throw new TypeError(`keyId must be the actor's key id ${activity.actor}#main-key, not ${options.keyId}`);
  }
  if (!UTC_SECONDS.test(options.created)) throw new TypeError(`created must be YYYY-MM-DDTHH:MM:SSZ, not ${options.created}`);
  if (typeof activity.published !== "string" || !UTC_SECONDS.test(activity.published)) {
    throw new TypeError(`published must be YYYY-MM-DDTHH:MM:SSZ, not ${String(activity.published)}`);
  }
  const key = privateKeyFromPem(options.privateKeyPem);
  if (key.asymmetricKeyType !== "rsa") throw new TypeError(`the Art DAG signature needs an RSA key, not ${key.asymmetricKeyType}`);
  const toSign = buildSigningInput(activity, { creator: options.keyId, created: options.created });
  const signature: ArtDagSignature = {
    type: SIGNATURE_TYPE,
    creator: options.keyId,
    created: options.created,
    signatureValue: sign("sha256", toSign, key).toString("base64"),
  };
  return { ...activity, signature };
}

/**
 * Checks an activity's Art DAG signature against the actor's RSA public key. The signature's
 * `creator` must be `{actor}#main-key`; members outside the six signed ones are ignored. Never
 * throws: hostile input and unusable keys yield `{ ok: false, reason }` (an unusable key counts as
 * `bad_signature`).
 */
export function verifyActivitySignature(
  activity: unknown,
  publicKey: string | KeyObject,
  options: VerifyActivitySignatureOptions = {},
): VerifyActivitySignatureResult {
  try {
    return checkActivitySignature(activity, publicKey, options);
  } catch {
    // Only reachable through exotic objects (proxies, throwing getters): JSON never produces them.
    return { ok: false, reason: "malformed" };
  }
}

/**
 * The 64 bytes that are signed (protocols.md §1, step 4): SHA-256 of the canonical options, then
 * SHA-256 of the canonical six-member document rebuilt from `activity`.
 * @throws {CanonicalJsonError} when a signed member cannot round-trip through Python's JSON.
 */
export function buildSigningInput(activity: Readonly<Record<string, unknown>>, options: SignatureOptionsInput): Buffer {
  const signatureOptions = {
    "@context": SECURITY_CONTEXT,
    type: SIGNATURE_TYPE,
    creator: options.creator,
    created: options.created,
  };
  const optionsHash = sha256(canonicalJson(signatureOptions, { path: "signature" }));
  const docHash = sha256(canonicalJson(rebuildSignedDocument(activity)));
  return Buffer.concat([optionsHash, docHash]);
}

function checkActivitySignature(activity: unknown, publicKey: string | KeyObject, options: VerifyActivitySignatureOptions): VerifyActivitySignatureResult {
  if (!isRecord(activity)) return fail("malformed");
  const block = activity.signature;
  if (block === undefined || block === null) return fail("no_signature");
  if (!isRecord(block)) return fail("malformed");
  if (block.type !== SIGNATURE_TYPE) return fail("wrong_type");
  const { creator, created, signatureValue } = block;
  if (typeof creator !== "string" || typeof created !== "string" || typeof signatureValue !== "string") return fail("malformed");
  if (!hasSignedMembers(activity)) return fail("malformed");
  if (creator !== `${activity.actor}#main-key`) return fail("wrong_creator");
  if (options.expectedCreator !== undefined && creator !== options.expectedCreator) return fail("wrong_creator");
  if (signatureValue === "" || !BASE64.test(signatureValue)) return fail("malformed");

  let toSign: Buffer;
  try {
    toSign = buildSigningInput(activity, { creator, created });
  } catch (err) {
    if (err instanceof CanonicalJsonError) return fail("not_canonicalizable");
    throw err;
  }
  const key = readRsaPublicKey(publicKey);
  if (!key) return fail("bad_signature");
  return verify("sha256", toSign, key, Buffer.from(signatureValue, "base64")) ? { ok: true } : fail("bad_signature");
}

function rebuildSignedDocument(activity: Readonly<Record<string, unknown>>): SignedDocument {
  // The ActivityStreams context is fixed even when the served activity has a longer @context.
  return {
    "@context": ACTIVITY_CONTEXT,
    type: activity.type,
    id: activity.id,
    actor: activity.actor,
    object: activity.object,
    published: activity.published,
  };
}

function hasSignedMembers(activity: Record<string, unknown>): boolean {
  return (
    typeof activity.type === "string" &&
    typeof activity.id === "string" &&
    typeof activity.actor === "string" &&
    typeof activity.published === "string" &&
    isRecord(activity.object)
  );
}

function readRsaPublicKey(publicKey: string | KeyObject): KeyObject | null {
  try {
    const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
    return key.asymmetricKeyType === "rsa" ? key : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function fail(reason: Exclude<VerifyActivitySignatureResult, { ok: true }>["reason"]): VerifyActivitySignatureResult {
  return { ok: false, reason };
}
