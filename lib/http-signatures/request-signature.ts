import type { KeyObject } from "node:crypto";
import { signCavage, verifyCavage, type CavageVerifyOptions } from "./draft-cavage";
import { signRfc9421, verifyRfc9421, type Rfc9421VerifyOptions } from "./rfc9421";
import { failure, type SignedRequest, type SignatureSpec, type SignedHeaders, type VerifyResult } from "./types";

export type VerifyRequestSignatureOptions = CavageVerifyOptions & Rfc9421VerifyOptions;

/** Which scheme a request is signed with: `Signature-Input` means RFC 9421, a bare `Signature` cavage. */
export function detectSignatureSpec(headers: Headers): SignatureSpec | null {
  if (headers.has("signature-input")) return "rfc9421";
  if (headers.has("signature")) return "draft-cavage";
  return null;
}

/**
 * Verifies whichever HTTP signature a request carries (RFC 9421 when `Signature-Input` is
 * present, else draft-cavage) and returns the shared result. The caller still checks the body
 * against its digest with checkBodyDigest, and that the key's owner is the activity's actor.
 */
export async function verifyRequestSignature(request: SignedRequest, options: VerifyRequestSignatureOptions): Promise<VerifyResult> {
  switch (detectSignatureSpec(request.headers)) {
    case "rfc9421":
      return verifyRfc9421(request, options);
    case "draft-cavage":
      return verifyCavage(request, options);
    default:
      return failure("no_signature", "the request carries no Signature or Signature-Input header");
  }
}

export interface SignRequestOptions {
  privateKey: KeyObject;
  keyId: string;
  spec: SignatureSpec;
  now?: Date;
}

/**
 * Signs a request with the chosen scheme using its defaults (cavage: rsa-sha256, or hs2019 for
 * Ed25519; RFC 9421: rsa-v1_5-sha256 or ed25519) and returns the complete header set to send:
 * the request's own headers plus the added Date/Digest/Content-Digest/Signature(-Input).
 * (signCavage and signRfc9421 return only the additions.)
 */
export function signRequest(request: SignedRequest, options: SignRequestOptions): Headers {
  const { privateKey, keyId, now } = options;
  const added: SignedHeaders = options.spec === "rfc9421" ? signRfc9421(request, { privateKey, keyId, now }) : signCavage(request, { privateKey, keyId, now });
  const headers = new Headers(request.headers);
  for (const [name, value] of Object.entries(added)) headers.set(name, value);
  return headers;
}
