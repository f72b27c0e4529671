// FEP-8b32 Object Integrity Proofs with the W3C vc-di-eddsa cryptosuite `eddsa-jcs-2022`:
// Ed25519 over SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document without proof)), where proofConfig
// is the proof without `proofValue`. The proof we publish carries the document's `@context`
// (vc-di-eddsa Create Proof step 2), so a verifier that hashes the proof exactly as published
// (bovine, the FEP-8b32 test vector's method) and one that puts the document's context in itself
// (Fedify 2.3.6) hash the same bytes. Proofs we published before that carry no `@context` but were
// hashed with it; they are served as signed, forever, so the verifier accepts both forms.
//
// Order with the Art DAG signature (protocols.md §1): the proof is made first, over the document
// without `signature`; the Art DAG `signature` is added afterwards. So a verifier removes `signature`
// (as Fedify's inbox does) before it checks the proof.
import { createHash, sign, verify, type KeyObject } from "node:crypto";
import { canonicalizeJcs, JcsError } from "./jcs";
import { decodeMultibaseBase58btc, encodeMultibaseBase58btc } from "./multibase";

/** The JSON-LD context that defines `proof` and DataIntegrityProof; a proved document lists it. */
export const DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v1";

const PROOF_TYPE = "DataIntegrityProof";
const CRYPTOSUITE = "eddsa-jcs-2022";
const PROOF_PURPOSE = "assertionMethod";
const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** base58btc of 64 bytes is at most 88 digits; anything much longer is not worth decoding. */
const MAX_PROOF_VALUE_LENGTH = 100;
const ED25519_SIGNATURE_LENGTH = 64;

/** The `proof` member of a proved document. */
export interface DataIntegrityProof {
  /** The document's `@context`, when it has one (vc-di-eddsa Create Proof step 2). */
  "@context"?: unknown;
  type: "DataIntegrityProof";
  cryptosuite: "eddsa-jcs-2022";
  /** The key's id, e.g. `{actor}#ed25519-key` (a Multikey in the actor's `assertionMethod`). */
  verificationMethod: string;
  proofPurpose: "assertionMethod";
  /** UTC, second precision, `Z`: `YYYY-MM-DDTHH:MM:SSZ`. */
  created: string;
  /** `z` + base58btc of the 64-byte Ed25519 signature. */
  proofValue: string;
}

/** The proof options of {@link createProof}. */
export interface CreateProofOptions {
  /** The actor's Ed25519 private key. */
  privateKey: KeyObject;
  verificationMethod: string;
  /** UTC, second precision, `Z`: `YYYY-MM-DDTHH:MM:SSZ`. */
  created: string;
  proofPurpose: "assertionMethod";
}

/**
 * The 64 bytes eddsa-jcs-2022 signs: SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(unsecuredDocument)).
 * `proofConfig` is the proof without `proofValue`, hashed exactly as given: it carries `@context`
 * only if the caller put it there.
 * @throws {JcsError} when either has no RFC 8785 form.
 */
export function buildProofHashData(unsecuredDocument: Record<string, unknown>, proofConfig: Record<string, unknown>): Buffer {
  const config: Record<string, unknown> = { ...proofConfig };
  delete config.proofValue;
  return Buffer.concat([sha256(canonicalizeJcs(config)), sha256(canonicalizeJcs(unsecuredDocument))]);
}

/**
 * Returns a copy of `document` with an eddsa-jcs-2022 `proof` added (last). Make it before the
 * Art DAG `signature` is added: a document that already has `signature` or `proof` is refused.
 * @throws {TypeError} for a document with `proof` or `signature`, a key that is not an Ed25519
 *   private key, a `created` that is not `YYYY-MM-DDTHH:MM:SSZ`, a verificationMethod that is not
 *   an absolute URL, or a proofPurpose other than assertionMethod.
 * @throws {JcsError} when the document has no RFC 8785 form (NaN, undefined, lone surrogates…).
 */
export function createProof<T extends object>(document: T, options: CreateProofOptions): T & { proof: DataIntegrityProof } {
  if (!isPlainObject(document)) throw new TypeError("the document must be a JSON object");
  if (Object.hasOwn(document, "proof")) throw new TypeError("the document already has a proof");
  if (Object.hasOwn(document, "signature")) {
    throw new TypeError("the document already has a signature: make the proof first, then add the Art DAG signature");
  }
  const { privateKey, verificationMethod, created, proofPurpose } = options;
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") throw new TypeError("the proof key must be an Ed25519 private key");
  if (typeof created !== "string" || !UTC_SECONDS.test(created) || Number.isNaN(Date.parse(created))) {
    throw new TypeError(`created must be UTC seconds with Z (YYYY-MM-DDTHH:MM:SSZ), not ${JSON.stringify(created)}`);
  }
  if (typeof verificationMethod !== "string" || !URL.canParse(verificationMethod)) {
    throw new TypeError(`verificationMethod must be an absolute URL, not ${JSON.stringify(verificationMethod)}`);
  }
  if (proofPurpose !== PROOF_PURPOSE) throw new TypeError(`proofPurpose must be ${PROOF_PURPOSE}`);
  const context = (document as Record<string, unknown>)["@context"];
  const proofConfig = {
    ...(context === undefined ? {} : { "@context": context }),
    type: PROOF_TYPE,
    cryptosuite: CRYPTOSUITE,
    verificationMethod,
    proofPurpose,
    created,
  } as const;
  const signature = sign(null, buildProofHashData(document as Record<string, unknown>, proofConfig), privateKey);
  return { ...document, proof: { ...proofConfig, proofValue: encodeMultibaseBase58btc(signature) } };
}

/** Why a proof did not verify. */
export type ProofFailure =
  /** The document is not a JSON object. */
  | "malformed"
  /** The document has no `proof`. */
  | "no_proof"
  /** The proof is not an object (or a one-element array of one) or lacks a string verificationMethod or proofValue, or has a bad `created`. */
  | "malformed_proof"
  /** Not a DataIntegrityProof with cryptosuite eddsa-jcs-2022. */
  | "unsupported_cryptosuite"
  /** proofPurpose is not assertionMethod. */
  | "wrong_proof_purpose"
  /** proofValue is not `z` + base58btc of 64 bytes. */
  | "bad_proof_value"
  /** The proof's own `@context` is not the document's. */
  | "context_mismatch"
  /** The document or proof has no RFC 8785 form (e.g. a lone surrogate). */
  | "not_canonicalizable"
  /** resolvePublicKey found no Ed25519 key for the verificationMethod (or failed). */
  | "unknown_key"
  /** The signature does not verify with that key. */
  | "bad_signature";

/**
 * How the proof's configuration was hashed: exactly as published (vc-di-eddsa, FEP-8b32, bovine;
 * every proof we make now), or — for a proof published without `@context` — with the document's
 * `@context` added (Fedify's proofs, and ours from before the proof carried it).
 */
export type ProofForm = "as_published" | "document_context";

export type VerifyProofResult = { ok: true; verificationMethod: string; form: ProofForm } | { ok: false; reason: ProofFailure };

export interface VerifyProofOptions {
  /**
   * The public key of a verificationMethod, or null when there is none. Whether that key may speak
   * for the document (its controller is the actor) is the resolver's and the caller's to decide.
   */
  resolvePublicKey: (verificationMethod: string) => Promise<KeyObject | null>;
}

/**
 * Checks a document's eddsa-jcs-2022 proof. An Art DAG `signature` member is removed first (it is
 * added after the proof). Never throws; a resolver that throws counts as `unknown_key`.
 */
export async function verifyProof(document: unknown, options: VerifyProofOptions): Promise<VerifyProofResult> {
  if (!isPlainObject(document)) return fail("malformed");
  if (!Object.hasOwn(document, "proof")) return fail("no_proof");
  let proof = document.proof;
  if (Array.isArray(proof) && proof.length === 1) proof = proof[0];
  if (!isPlainObject(proof)) return fail("malformed_proof");
  if (proof.type !== PROOF_TYPE || proof.cryptosuite !== CRYPTOSUITE) return fail("unsupported_cryptosuite");
  if (proof.proofPurpose !== PROOF_PURPOSE) return fail("wrong_proof_purpose");
  const { verificationMethod, proofValue, created } = proof;
  if (typeof verificationMethod !== "string" || typeof proofValue !== "string") return fail("malformed_proof");
  if (created !== undefined && (typeof created !== "string" || !DATE_TIME.test(created))) return fail("malformed_proof");
  if (proofValue.length > MAX_PROOF_VALUE_LENGTH) return fail("bad_proof_value");
  const signature = decodeMultibaseBase58btc(proofValue);
  if (!signature.ok || signature.bytes.length !== ED25519_SIGNATURE_LENGTH) return fail("bad_proof_value");

  const unsecured: Record<string, unknown> = { ...document };
  delete unsecured.proof;
  delete unsecured.signature;
  const candidates: [ProofForm, Record<string, unknown>][] = [["as_published", proof]];
  if (proof["@context"] !== undefined) {
    // vc-di-eddsa lets the document's context merely start with the proof's (the proof's then
    // stands in for it). We require the same context: a context appended after proving changes
    // what the document means to a JSON-LD reader (Fedify), yet the JCS hash would not see it.
    if (!sameContext(document["@context"], proof["@context"])) return fail("context_mismatch");
  } else if (unsecured["@context"] !== undefined) {
    candidates.push(["document_context", { ...proof, "@context": unsecured["@context"] }]);
  }
  let hashData: [ProofForm, Buffer][];
  try {
    hashData = candidates.map(([form, config]) => [form, buildProofHashData(unsecured, config)]);
  } catch (err) {
    if (err instanceof JcsError) return fail("not_canonicalizable");
    throw err;
  }

  let publicKey: KeyObject | null;
  try {
    publicKey = await options.resolvePublicKey(verificationMethod);
  } catch {
    return fail("unknown_key");
  }
  if (!publicKey || publicKey.asymmetricKeyType !== "ed25519") return fail("unknown_key");
  for (const [form, data] of hashData) {
    let valid: boolean;
    try {
      valid = verify(null, data, publicKey, signature.bytes);
    } catch {
      valid = false;
    }
    if (valid) return { ok: true, verificationMethod, form };
  }
  return fail("bad_signature");
}

function fail(reason: ProofFailure): { ok: false; reason: ProofFailure } {
  return { ok: false, reason };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether two `@context` values are the same JSON (RFC 8785 equal). */
function sameContext(a: unknown, b: unknown): boolean {
  try {
    return canonicalizeJcs(a) === canonicalizeJcs(b);
  } catch {
    return false;
  }
}
