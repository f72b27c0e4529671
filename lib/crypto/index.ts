// Keys and signatures: the actors' RSA and Ed25519 key files, Python-compatible canonical JSON and
// the Art DAG activity signature (protocols.md §1), FEP-8b32 eddsa-jcs-2022 proofs with RFC 8785
// JCS, FEP-521a Multikeys, base58btc and did:key (§3). HTTP signatures and Moo-Auth-1 belong to
// lib/http-signatures.
export { actorKeyPaths, ensureActorKeyPair, privateKeyFromPem, readActorPrivateKey, readActorPublicKey } from "./keys";
export { assertCanonicalizable, CanonicalJsonError, MAX_CANONICAL_DEPTH, type CanonicalJsonOptions } from "./canonical-json";
export {
  signActivity,
  verifyActivitySignature,
  type Activity,
  type ActivityMembers,
  type ActivityWithoutSignature,
  type ArtDagSignature,
  type SignActivityOptions,
  type SignatureOptionsInput,
  type VerifyActivitySignatureOptions,
  type VerifyActivitySignatureResult,
} from "./artdag-signature";
export { deriveKey, seal, unseal } from "./sealed";
export { ensureActorEd25519Key, importEd25519Seed, readActorEd25519Key, type Ed25519KeyPair } from "./ed25519-keys";
export {
  decodeBase58btc,
  decodeMultibaseBase58btc,
  didKeyFromEd25519,
  ed25519PublicKeyToMultibase,
  encodeBase58btc,
  encodeMultibaseBase58btc,
  multibaseToEd25519PublicKey,
  parseDidKey,
  type DecodeMultibaseResult,
  type MultibaseFailure,
  type MultibaseToEd25519Result,
  type ParseDidKeyResult,
} from "./multibase";
export { actorMultikey, actorMultikeyId, type Multikey } from "./multikey";
export {
  createProof,
  DATA_INTEGRITY_CONTEXT,
  verifyProof,
  type CreateProofOptions,
  type DataIntegrityProof,
  type ProofFailure,
  type ProofForm,
  type VerifyProofOptions,
  type VerifyProofResult,
} from "./data-integrity";
