// The actor's Ed25519 key as a FEP-521a Multikey, listed in the actor's `assertionMethod` (Fedify
// reads it there to check the FEP-8b32 proofs made with it). Embedded in the actor document it needs
// no `@context` of its own beyond the actor's (`https://w3id.org/security/multikey/v1` or
// `…/data-integrity/v1`).
import type { KeyObject } from "node:crypto";
import { ed25519PublicKeyToMultibase } from "./multibase";

/** A FEP-521a Multikey. */
export interface Multikey {
  /** `{actorId}#ed25519-key`: the `verificationMethod` of the actor's proofs. */
  id: string;
  type: "Multikey";
  controller: string;
  /** `z6Mk…`: base58btc(0xed 0x01 ‖ 32-byte Ed25519 public key). */
  publicKeyMultibase: string;
}

/** The id of the actor's Ed25519 Multikey, `{actorId}#ed25519-key`. */
export function actorMultikeyId(actorId: string): string {
  return `${actorId}#ed25519-key`;
}

/**
 * The actor's Ed25519 public key as a Multikey controlled by the actor.
 * @throws {TypeError} when the key is not Ed25519.
 */
export function actorMultikey(actorId: string, publicKey: KeyObject): Multikey {
  return { id: actorMultikeyId(actorId), type: "Multikey", controller: actorId, publicKeyMultibase: ed25519PublicKeyToMultibase(publicKey) };
}
