// HTTP signatures between servers (protocols.md §2), on node:crypto only: body digests
// (RFC 3230 `Digest`, RFC 9530 `Content-Digest`), draft-cavage-http-signatures-12 (`Signature`,
// rsa-sha256 / hs2019 / ed25519) and RFC 9421 HTTP Message Signatures (`Signature-Input` +
// `Signature`, with the RFC 8941 Structured Fields subset it needs), signing and verifying, plus
// the scheme dispatch. Verifiers never read a body and never throw on a bad request: they return
// a result with a `reason`. Key fetching and caching, and the key-owner = actor check, belong to
// the caller (lib/federation). Moo-Auth-1 client signatures (protocols.md §3) are here too; which
// did:keys are registered, and replay refusal, belong to lib/clients.
export { checkBodyDigest, sha256DigestHeader, type BodyDigestResult, type DigestKind } from "./digest";
export { signCavage, verifyCavage, type CavageSignatureParams, type CavageSignOptions, type CavageVerifyOptions } from "./draft-cavage";
export { buildRfc9421SignatureBase, type Rfc9421SignOptions, type Rfc9421VerifyOptions } from "./rfc9421";
export { signRequest, verifyRequestSignature, type SignRequestOptions, type VerifyRequestSignatureOptions } from "./request-signature";
export {
  buildMooAuthSigningString,
  describeDidKeyDefect,
  isMooAuthRequest,
  MOO_AUTH_MAX_SKEW_SECONDS,
  signMooAuth,
  verifyMooAuth,
  type MooAuthFailureReason,
  type MooAuthRequest,
  type MooAuthSigningInput,
  type MooAuthVerifyResult,
  type SignMooAuthOptions,
  type VerifyMooAuthOptions,
} from "./moo-auth";
export type { Rfc9421Algorithm } from "./algorithms";
export {
  type KeyResolver,
  type SignedRequest,
  type SignatureSpec,
  type SignedHeaders,
  type VerifyFailure,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyResult,
} from "./types";
