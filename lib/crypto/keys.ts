import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const generateKeyPairAsync = promisify(generateKeyPair);
const USERNAME = /^[a-z0-9_]{1,32}$/;

/** Where an actor's RSA key files live: `{keysDir}/{username}.pem` (PKCS#8, 600) and `.pub` (SPKI). */
export function actorKeyPaths(keysDir: string, username: string): { privateKey: string; publicKey: string } {
  // The username is part of a file name: refuse anything that could leave the folder.
  if (!USERNAME.test(username)) throw new Error(`not a username: ${JSON.stringify(username)}`);
  return {
    privateKey: path.join(keysDir, `${username}.pem`),
    publicKey: path.join(keysDir, `${username}.pub`),
  };
}

/**
 * Creates an RSA-2048 key pair for the actor unless one exists; never overwrites a key (losing a
 * private key invalidates every signature made with it). Returns whether it created one.
 */
export async function ensureActorKeyPair(keysDir: string, username: string): Promise<{ created: boolean }> {
  const paths = actorKeyPaths(keysDir, username);
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  // turbopackIgnore: a key file is data read at run time, not a file for the build to trace.
  const existing = await readFile(/*turbopackIgnore: true*/ paths.privateKey, "utf8").catch(() => null);
  if (existing) {
    await ensurePublicKeyFile(paths, existing);
    return { created: false };
  }
  const { privateKey, publicKey } = await generateKeyPairAsync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  try {
    // "wx": if another process created the key meanwhile, keep theirs.
    await writeFile(paths.privateKey, privateKey, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return { created: false };
    throw err;
  }
  try {
    await writeFile(paths.publicKey, publicKey, { mode: 0o644, flag: "w" });
  } catch (err) {
    await rm(paths.privateKey, { force: true });
    throw err;
  }
  return { created: true };
}

async function ensurePublicKeyFile(paths: { publicKey: string }, privatePem: string): Promise<void> {
  const pub = await readFile(paths.publicKey, "utf8").catch(() => null);
  if (pub) return;
  const spki = createPublicKey(createPrivateKey(privatePem)).export({ type: "spki", format: "pem" }).toString();
  await writeFile(paths.publicKey, spki, { mode: 0o644, flag: "wx" }).catch(() => {});
}

/** The actor's public key (SPKI PEM), or null when it has none. */
export async function readActorPublicKey(keysDir: string, username: string): Promise<string | null> {
  return readFile(/*turbopackIgnore: true*/ actorKeyPaths(keysDir, username).publicKey, "utf8").catch(() => null);
}

/** The actor's private key (PKCS#8 PEM), or null when it has none. Read afresh on every call (see readKeyFile). */
export async function readActorPrivateKey(keysDir: string, username: string): Promise<string | null> {
  const file = actorKeyPaths(keysDir, username).privateKey;
  try {
    return readKeyFile(file);
  } catch {
    return null; // unreadable is no key, as before
  }
}

/**
 * A key file's text, or null when it does not exist. Read synchronously: a key file is a few hundred
 * bytes on local disk, and every signature reads one. The four thread-pool hops of an async
 * `readFile` (open, fstat, read, close) cost several times the read itself, and a signing request
 * waited on them.
 * @throws on any error but ENOENT
 */
export function readKeyFile(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Parsed private keys by PEM text; bounded, since each user has one key and the set barely changes. */
const parsedPrivateKeys = new Map<string, KeyObject>();
const MAX_PARSED_PRIVATE_KEYS = 1024;

/**
 * The KeyObject of a PEM private key. Parsing PKCS#8 costs about a third of an RSA signature, and
 * every activity and delivery is signed with one of a few keys, so parses are remembered by the
 * PEM text itself: a replaced key file is a new text, parsed afresh.
 * @throws when the PEM is not a private key
 */
export function privateKeyFromPem(pem: string): KeyObject {
  const cached = parsedPrivateKeys.get(pem);
  if (cached) return cached;
  const key = createPrivateKey(pem);
  if (parsedPrivateKeys.size >= MAX_PARSED_PRIVATE_KEYS) parsedPrivateKeys.delete(parsedPrivateKeys.keys().next().value!);
  parsedPrivateKeys.set(pem, key);
  return key;
}
