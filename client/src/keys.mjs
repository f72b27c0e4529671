// Ed25519 keys: from a seed or a multibase secret, their raw public bytes and their did:key (BIN-2).
import { createPrivateKey, createPublicKey } from "node:crypto";
import { decodeBase58btc, encodeBase58btc } from "./base58.mjs";

/** PKCS#8 DER of an Ed25519 private key up to its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The Ed25519 private key of a 32-byte seed. */
export function privateKeyFromSeed(seed) {
  if (seed.length !== 32) throw new TypeError(`an Ed25519 seed has 32 bytes, not ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]), format: "der", type: "pkcs8" });
}

/**
 * A private key written the way bovine writes them: multibase `z` + base58btc(0x80 0x26 ‖ seed),
 * the multicodec `ed25519-priv` (the published test vector of protocols.md §3 uses this form).
 */
export function privateKeyFromMultibase(text) {
  const bytes = text.startsWith("z") ? decodeBase58btc(text.slice(1)) : null;
  if (!bytes || bytes.length !== 34 || bytes[0] !== 0x80 || bytes[1] !== 0x26) {
    throw new TypeError("not a multibase ed25519-priv key (z + base58btc(0x80 0x26 ‖ 32 bytes))");
  }
  return privateKeyFromSeed(bytes.subarray(2));
}

/** The 32 raw bytes of an Ed25519 public key (a private key gives its public half). */
export function ed25519PublicKeyBytes(key) {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new TypeError("not an Ed25519 key");
  return Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
}

/** did:key of an Ed25519 key: `did:key:z` + base58btc(0xed 0x01 ‖ 32-byte public key), i.e. `did:key:z6Mk…`. */
export function didKeyFromPublicKey(key) {
  return `did:key:z${encodeBase58btc(Buffer.concat([Buffer.from([0xed, 0x01]), ed25519PublicKeyBytes(key)]))}`;
}
