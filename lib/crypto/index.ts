// Keys and signatures: the actors' RSA key files, Python-compatible canonical JSON and the Art DAG
// activity signature (protocols.md §1). FEP-8b32 proofs and did:key join here as federation lands;
// HTTP signatures and Moo-Auth-1 belong to lib/http-signatures.
export { actorKeyPaths, ensureActorKeyPair, readActorPrivateKey, readActorPublicKey } from "./keys";
export {
  assertCanonicalizable,
  canonicalJson,
  CanonicalJsonError,
  MAX_CANONICAL_DEPTH,
  type CanonicalJsonOptions,
} from "./canonical-json";
export {
  buildSigningInput,
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
