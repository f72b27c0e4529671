import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
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

/** The actor's public key (SPKI PEM), or null when it has none (see readKeyFile). */
export async function readActorPublicKey(keysDir: string, username: string): Promise<string | null> {
  return readKeyFileOrNull(actorKeyPaths(keysDir, username).publicKey);
}

/** The actor's private key (PKCS#8 PEM), or null when it has none (see readKeyFile). */
export async function readActorPrivateKey(keysDir: string, username: string): Promise<string | null> {
  return readKeyFileOrNull(actorKeyPaths(keysDir, username).privateKey);
}

function readKeyFileOrNull(file: string): string | null {
  try {
    return readKeyFile(file);
  } catch {
    return null; // unreadable is no key, as before
  }
}

/** A key file's text as last read, and the file's identity then. */
interface KeyFileText {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  text: string;
}
const keyFileTexts = new Map<string, KeyFileText>();
const MAX_KEY_FILE_TEXTS = 4096;
/** How long after its last change a key file's text may be remembered (see readKeyFile). */
const SETTLED_MS = 2_000;

/**
 * A key file's text, or null when it does not exist. Every signature and every actor document needs
 * one, so the text is remembered per path and checked by one synchronous `stat`: the same inode,
 * size, modification and change times mean the same text. A replaced key file (a new inode, or
 * rewritten in place: new times) is read afresh, so an operator's rotation takes effect on the next
 * request, as it did when every call read the file. A file changed in the last seconds is not
 * remembered yet (git's "racy" rule): file times tick coarsely, so a rewrite of the same size in
 * the same tick would otherwise look unchanged. Synchronous on purpose: a key file is a few
 * hundred bytes on local disk, and the thread-pool hops of an async read (open, fstat, read, close)
 * cost several times the read itself.
 * @throws on any error but ENOENT
 */
export function readKeyFile(file: string): string | null {
  const stats = statSync(/*turbopackIgnore: true*/ file, { bigint: true, throwIfNoEntry: false });
  if (!stats) {
    keyFileTexts.delete(file);
    return null;
  }
  const known = keyFileTexts.get(file);
  if (known && known.ino === stats.ino && known.size === stats.size && known.mtimeNs === stats.mtimeNs && known.ctimeNs === stats.ctimeNs) {
    return known.text;
  }
  let text: string;
  try {
    text = readFileSync(/*turbopackIgnore: true*/ file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const settledBefore = (performance.timeOrigin + performance.now() - SETTLED_MS) * 1e6;
  if (Number(stats.mtimeNs) > settledBefore || Number(stats.ctimeNs) > settledBefore) {
    keyFileTexts.delete(file);
    return text;
  }
  if (!known && keyFileTexts.size >= MAX_KEY_FILE_TEXTS) keyFileTexts.delete(keyFileTexts.keys().next().value!);
  keyFileTexts.set(file, { ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs, text });
  return text;
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
