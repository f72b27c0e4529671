// The actors' Ed25519 keys: they sign the FEP-8b32 proofs (eddsa-jcs-2022) and are published as a
// FEP-521a Multikey in `assertionMethod`. One PKCS#8 file per actor, `{keysDir}/{username}.ed25519.pem`
// (mode 600), beside the RSA files of keys.ts and under the same rules: created once, never overwritten.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { actorKeyPaths, readKeyFile } from "./keys";

const generateKeyPairAsync = promisify(generateKeyPair);

/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** An Ed25519 key pair as node:crypto key objects. */
export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Where an actor's Ed25519 private key lives: `{keysDir}/{username}.ed25519.pem`. */
export function actorEd25519KeyPath(keysDir: string, username: string): string {
  // The same username rule as the RSA key files (it throws "not a username" for anything else).
  actorKeyPaths(keysDir, username);
  return path.join(keysDir, `${username}.ed25519.pem`);
}

/**
 * Creates an Ed25519 key for the actor unless one exists; never overwrites a key (losing it
 * invalidates every proof made with it). Returns whether it created one.
 */
export async function ensureActorEd25519Key(keysDir: string, username: string): Promise<{ created: boolean }> {
  const file = actorEd25519KeyPath(keysDir, username);
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing) return { created: false };
  const { privateKey } = await generateKeyPairAsync("ed25519", {
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  try {
    // "wx": if another process created the key meanwhile, keep theirs.
    await writeFile(file, privateKey, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return { created: false };
    throw err;
  }
  return { created: true };
}

/**
 * The actor's Ed25519 key pair, or null when it has no key file.
 * @throws {Error} when the file exists but does not hold an Ed25519 PKCS#8 key.
 */
export async function readActorEd25519Key(keysDir: string, username: string): Promise<Ed25519KeyPair | null> {
  const file = actorEd25519KeyPath(keysDir, username);
  const pem = readKeyFile(file);
  if (pem === null) return null;
  const known = pairsByPem.get(pem);
  if (known) return known;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`${file} does not hold a PKCS#8 private key`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error(`${file} holds a ${privateKey.asymmetricKeyType ?? "non-asymmetric"} key, not Ed25519`);
  }
  const pair = { privateKey, publicKey: createPublicKey(privateKey) };
  if (pairsByPem.size >= MAX_PARSED_PAIRS) pairsByPem.delete(pairsByPem.keys().next().value!);
  pairsByPem.set(pem, pair);
  return pair;
}

/**
 * Parsed key pairs by PEM text: every actor document and every signed activity reads the actor's
 * key, and parsing it (with the public half derived) was the largest single cost of serving an
 * actor. Keyed by the text itself, so a replaced key file is parsed afresh; bounded.
 */
const pairsByPem = new Map<string, Ed25519KeyPair>();
const MAX_PARSED_PAIRS = 1024;

/**
 * An Ed25519 key pair from its 32-byte seed (the RFC 8032 private key), e.g. a did:key test vector
 * or a client key kept as a seed.
 * @throws {TypeError} when the seed is not 32 bytes.
 */
export function importEd25519Seed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new TypeError(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
