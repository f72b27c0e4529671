#!/usr/bin/env node
// artdag-client: the Art DAG L2 command-line client (product.md §6). One file, Node ≥ 20 built-ins
// only, so `curl -o artdag-client.mjs <server>/download/client && node artdag-client.mjs` needs no
// install step. It registers itself with the BIN-2 Moo Client Registration Flow (its own Ed25519
// key, shown as a did:key and confirmed by the person at /registerPublicKey, then found through
// WebFinger) and signs every request as that key with Moo-Auth-1 (protocols.md §3).
//
// Files, in $ARTDAG_CLIENT_HOME, else $XDG_CONFIG_HOME/artdag, else ~/.config/artdag (mode 700):
//   keys/<scheme>_<host>_<port>.pem  one PKCS#8 Ed25519 key per server (mode 600). `login` reuses it,
//                                    so logging in again never leaves stray keys registered; remove
//                                    the file to start with a fresh key.
//   config.json                      the current login: {server, did_key, actor, username, outbox, key_file}.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { createReadStream, realpathSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

export const VERSION = "1.0.0";

// ---------------------------------------------------------------------------------------------
// Pure functions (exported for client/artdag-client.test.ts)
// ---------------------------------------------------------------------------------------------

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Bytes in base58btc (Bitcoin alphabet; each leading zero byte becomes `1`), no multibase prefix. */
export function encodeBase58btc(bytes) {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits = []; // base-58 digits, least significant first
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] * 256;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = "1".repeat(zeros);
  for (let k = digits.length - 1; k >= 0; k--) out += ALPHABET[digits[k]];
  return out;
}

/** base58btc text (no prefix) to bytes; null when a character is outside the alphabet. */
export function decodeBase58btc(text) {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  const bytes = []; // base-256 digits, least significant first
  for (let i = zeros; i < text.length; i++) {
    const digit = ALPHABET.indexOf(text[i]);
    if (digit < 0) return null;
    let carry = digit;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let k = 0; k < bytes.length; k++) out[out.length - 1 - k] = bytes[k];
  return out;
}

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

/** The `Digest` header of a body: `sha-256=<base64 of SHA-256(body)>`. */
export function digestHeader(body) {
  return `sha-256=${createHash("sha256").update(body).digest("base64")}`;
}

/**
 * The Moo-Auth-1 signing string (protocols.md §3): request target, host, date and, on POST, digest,
 * joined by `\n`. The host is `new URL(url).host`, because Node's fetch sends exactly that `Host`.
 */
export function mooSigningString({ method, url, date, digest }) {
  const target = new URL(url);
  const lines = [`(request-target): ${method.toLowerCase()} ${target.pathname}`, `host: ${target.host}`, `date: ${date}`];
  if (method.toUpperCase() === "POST") {
    if (!digest) throw new TypeError("a POST is signed with its Digest");
    lines.push(`digest: ${digest}`);
  }
  return lines.join("\n");
}

/** `z` + base58btc of the pure Ed25519 signature of the signing string's UTF-8 bytes. */
export function mooSignature(privateKey, signingString) {
  return `z${encodeBase58btc(sign(null, Buffer.from(signingString, "utf8"), privateKey))}`;
}

/** The headers that make a request Moo-Auth-1 signed: Authorization, X-Moo-Signature, Date, Digest on POST. */
export function mooAuthHeaders({ privateKey, didKey, method, url, body, date = new Date().toUTCString() }) {
  const headers = { date, authorization: `Moo-Auth-1 ${didKey}` };
  if (method.toUpperCase() === "POST") headers.digest = digestHeader(body ?? "");
  headers["x-moo-signature"] = mooSignature(privateKey, mooSigningString({ method, url, date, digest: headers.digest }));
  return headers;
}

/** The config folder: $ARTDAG_CLIENT_HOME, else $XDG_CONFIG_HOME/artdag, else ~/.config/artdag. */
export function configDir(env = process.env, home = os.homedir()) {
  if (env.ARTDAG_CLIENT_HOME) return path.resolve(env.ARTDAG_CLIENT_HOME);
  if (env.XDG_CONFIG_HOME) return path.join(path.resolve(env.XDG_CONFIG_HOME), "artdag");
  return path.join(home, ".config", "artdag");
}

/**
 * A server as typed (`https://l2.example`, `l2.example`, `http://localhost:8311/`) to its origin.
 * Without a scheme, https is meant. @throws CliError when it is not an http(s) address.
 */
export function normalizeServer(text) {
  const raw = String(text ?? "").trim();
  if (!raw) throw new CliError("Which server? Give its address, e.g. login https://l2.example");
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new CliError(`Not a server address: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`Not an http(s) server address: ${raw}`);
  return url.origin;
}

/** The file name of a server's key: `http_localhost_8311.pem`. */
export function keyFileName(server) {
  const url = new URL(server);
  return `${url.protocol.replace(":", "")}_${url.host.replace(/[^A-Za-z0-9.-]/g, "_")}.pem`;
}

export const ASSET_TYPES = ["image", "video", "audio", "effect", "recipe", "infrastructure", "unknown"];

const EXTENSION_TYPES = {
  image: ["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "tif", "tiff", "heic"],
  video: ["mp4", "m4v", "mov", "webm", "mkv", "avi", "mpg", "mpeg"],
  audio: ["mp3", "wav", "ogg", "oga", "flac", "m4a", "aac", "opus"],
};

/** The asset type a file name suggests (by extension), else `unknown`. */
export function guessAssetType(fileName) {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  for (const [type, exts] of Object.entries(EXTENSION_TYPES)) if (exts.includes(ext)) return type;
  return "unknown";
}

/** The ActivityStreams object type for an asset type. */
export function objectTypeFor(assetType) {
  return { image: "Image", video: "Video", audio: "Audio" }[assetType] ?? "Document";
}

/** The C2S `Create` that registers a file through the outbox (product.md §6). */
export function buildCreateActivity({ actor, name, contentHash, assetType, tags }) {
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    type: "Create",
    actor,
    object: {
      type: objectTypeFor(assetType),
      name,
      contentHash: { algorithm: "sha3-256", value: contentHash },
      assetType,
      tag: tags,
    },
  };
}

/** `a, b,,c` → `["a", "b", "c"]`. */
export function parseTags(text) {
  return [...new Set(String(text).split(",").map((t) => t.trim()).filter(Boolean))];
}

/**
 * Splits arguments into positionals and `--flag value` / `--flag=value` options, checked against
 * the flags a command knows. @throws CliError on an unknown flag or a flag without its value.
 */
export function parseFlags(args, known) {
  const positionals = [];
  const flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name)) {
      throw new CliError(`Unknown option --${name}.${known.length ? ` Options: ${known.map((k) => `--${k}`).join(", ")}.` : ""}`);
    }
    let value;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) value = args[++i];
    if (value === undefined || value === "") throw new CliError(`--${name} needs a value.`);
    flags[name] = value;
  }
  return { positionals, flags };
}

/** One line of `list`: name, type, hash prefix and creation time, in columns. */
export function formatAssetRow(asset, nameWidth) {
  const created = String(asset.created_at ?? "").replace(/\.\d+Z$/, "Z");
  return `${String(asset.name).padEnd(nameWidth)}  ${String(asset.asset_type).padEnd(14)}  ${String(asset.content_hash).slice(0, 12)}  ${created}`;
}

/** A failure to show as one clear message (no stack trace) with its exit code. */
export class CliError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

const PROGRAM = "node artdag-client.mjs";
const CONFIG_FILE = "config.json";

async function ensureConfigDir(dir) {
  await mkdir(path.join(dir, "keys"), { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and ignored for folders that already exist.
  await chmod(dir, 0o700);
  await chmod(path.join(dir, "keys"), 0o700);
}

/** This server's key, if one was made before: reused, so a new login does not orphan a registered key. */
async function readKeyFile(file) {
  let pem;
  try {
    pem = await readFile(file, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw new CliError(`Cannot read the key file ${file}: ${err.message}`);
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 key");
    await chmod(file, 0o600);
    return key;
  } catch (err) {
    throw new CliError(`The key file ${file} is not a usable Ed25519 key (${err.message}). Remove it to make a new key.`);
  }
}

async function writeKeyFile(file, key) {
  const pem = key.export({ type: "pkcs8", format: "pem" });
  // `wx`: never overwrite a key that another run wrote meanwhile.
  await writeFile(file, pem, { mode: 0o600, flag: "wx" });
  await chmod(file, 0o600);
}

async function loadLogin(dir) {
  let text;
  try {
    text = await readFile(path.join(dir, CONFIG_FILE), "utf8");
  } catch (err) {
    if (err.code === "ENOENT") throw new CliError(`Not logged in. Run: ${PROGRAM} login <server>`);
    throw new CliError(`Cannot read ${path.join(dir, CONFIG_FILE)}: ${err.message}`);
  }
  let config;
  try {
    config = JSON.parse(text);
  } catch {
    throw new CliError(`${path.join(dir, CONFIG_FILE)} is not valid JSON. Run: ${PROGRAM} login <server>`);
  }
  for (const field of ["server", "did_key", "actor", "username", "outbox", "key_file"]) {
    if (typeof config?.[field] !== "string") throw new CliError(`${path.join(dir, CONFIG_FILE)} has no ${field}. Run: ${PROGRAM} login <server>`);
  }
  const key = await readKeyFile(config.key_file);
  if (!key) throw new CliError(`The key file ${config.key_file} is gone. Run: ${PROGRAM} login ${config.server}`);
  if (didKeyFromPublicKey(key) !== config.did_key) {
    throw new CliError(`The key file ${config.key_file} does not hold ${config.did_key}. Run: ${PROGRAM} login ${config.server}`);
  }
  return { ...config, privateKey: key };
}

async function saveLogin(dir, login) {
  const file = path.join(dir, CONFIG_FILE);
  await writeFile(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

const TIMEOUT_MS = 30_000;

function networkReason(err) {
  const cause = err?.cause ?? err;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (err?.name === "TimeoutError" || cause?.name === "TimeoutError") return "no answer within 30 s";
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
      return "connection reset";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out";
    case "CERT_HAS_EXPIRED":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS certificate problem (${code})`;
    default:
      return cause?.message || String(err);
  }
}

async function send(url, init) {
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new CliError(`Cannot reach ${new URL(url).origin}: ${networkReason(err)}`);
  }
}

/** The body of an answer as JSON, or null when it is not JSON. */
async function readJsonBody(res) {
  const text = await res.text().catch(() => "");
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The server's own words for a refusal (`{error, message}`), else the status. */
function serverMessage(res, body) {
  if (body && typeof body.message === "string" && body.message.trim()) return body.message;
  return `the server answered ${res.status} ${res.statusText}`.trim();
}

function refusedKey(server, res, body) {
  return new CliError(
    `The server refused this client's key — it was removed or never registered. Run: ${PROGRAM} login ${server}\n(${serverMessage(res, body)})`,
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a 401 to a signed request means. The server's message says which check failed: only an
 * unregistered (or removed) key calls for a new login; a clock off by minutes is this computer's.
 */
function refusedRequest(server, res, body) {
  const message = serverMessage(res, body);
  if (/not a registered client key|removed/i.test(message)) return refusedKey(server, res, body);
  if (/\bDate\b/.test(message)) return new CliError(`The server refused the signed request: ${message}. Check this computer's clock.`);
  return new CliError(`The server refused the signed request: ${message}`);
}

/**
 * A Moo-Auth-1 signed request; answers `{res, body}`. Ed25519 signatures are deterministic, so the
 * same request twice in one second (the Date header's resolution) carries the same signature and
 * the server refuses the second as a replay: only that refusal is retried, each time in the next
 * second with a new Date (twice, for a third run of the same command in that second).
 */
async function signedRequest(login, method, url, body) {
  const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
  for (let attempt = 0; ; attempt++) {
    const headers = {
      accept: "application/json",
      ...mooAuthHeaders({ privateKey: login.privateKey, didKey: login.did_key, method, url, body: bytes }),
    };
    if (bytes) headers["content-type"] = method === "POST" && url === login.outbox ? "application/activity+json" : "application/json";
    const res = await send(url, { method, headers, body: bytes });
    const json = await readJsonBody(res);
    if (res.status !== 401) return { res, body: json };
    if (attempt >= 2 || !/replay/i.test(serverMessage(res, json))) throw refusedRequest(login.server, res, json);
    await sleep(1000 - (Date.now() % 1000) + 20);
  }
}

/** Throws the server's message for any answer that is not one of the expected statuses. */
function expectStatus(res, body, ok, what) {
  if (ok.includes(res.status)) return;
  if (res.status >= 500) throw new CliError(`${what} failed: the server had an internal error (${res.status}). ${serverMessage(res, body)}`);
  throw new CliError(`${what} failed: ${serverMessage(res, body)}`);
}

/** The actor a did:key is registered to (WebFinger, BIN-2); null while it is not registered. */
async function findActorByKey(server, didKey) {
  const url = `${server}/.well-known/webfinger?resource=${encodeURIComponent(didKey)}`;
  const res = await send(url, { headers: { accept: "application/jrd+json, application/json" } });
  const body = await readJsonBody(res);
  if (res.status === 404) return null;
  expectStatus(res, body, [200], "WebFinger lookup");
  const link = Array.isArray(body?.links)
    ? body.links.find((l) => l?.rel === "self" && typeof l.href === "string" && /activity\+json|ld\+json/.test(String(l.type ?? "")))
    : undefined;
  if (!link) throw new CliError(`${server} answered WebFinger for this key without a link to an actor.`);
  return { subject: typeof body.subject === "string" ? body.subject : null, actor: link.href };
}

async function fetchActor(actorUrl) {
  const res = await send(actorUrl, { headers: { accept: "application/activity+json" } });
  const body = await readJsonBody(res);
  expectStatus(res, body, [200], `Fetching the actor ${actorUrl}`);
  if (typeof body?.outbox !== "string") throw new CliError(`The actor ${actorUrl} has no outbox.`);
  return { outbox: body.outbox, inbox: typeof body.inbox === "string" ? body.inbox : null, preferredUsername: body.preferredUsername };
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

function print(line = "") {
  process.stdout.write(`${line}\n`);
}

function note(line = "") {
  process.stderr.write(`${line}\n`);
}

/** Waits for Enter on stdin; false on end of input (EOF) or Ctrl-C, so giving up is a clean exit 1. */
function waitForEnter(rl) {
  return new Promise((resolve) => {
    const done = (value) => {
      rl.off("line", onLine);
      rl.off("close", onClose);
      rl.off("SIGINT", onClose);
      process.off("SIGINT", onClose);
      resolve(value);
    };
    const onLine = () => done(true);
    const onClose = () => done(false);
    rl.on("line", onLine);
    rl.on("close", onClose);
    rl.on("SIGINT", onClose);
    process.on("SIGINT", onClose);
  });
}

async function cmdLogin(args) {
  const { positionals } = parseFlags(args, []);
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} login <server>`);
  const server = normalizeServer(positionals[0]);
  const dir = configDir();
  const keyFile = path.join(dir, "keys", keyFileName(server));

  let privateKey = await readKeyFile(keyFile);
  const reused = privateKey !== null;
  privateKey ??= generateKeyPairSync("ed25519").privateKey;
  const didKey = didKeyFromPublicKey(privateKey);
  // Asking first also proves the server is there before a key is written or a link shown.
  let found = await findActorByKey(server, didKey);
  await ensureConfigDir(dir);
  if (!reused) await writeKeyFile(keyFile, privateKey);

  const link = `${server}/registerPublicKey?key=${didKey}`;
  if (found) {
    print(`This client's key is already registered: ${didKey}`);
  } else {
    print(`${reused ? "This client's key" : "A new key for this client"}: ${didKey}`);
    print(`(kept in ${keyFile})`);
    print("");
    print(`Open this link in a browser where you are logged in to ${server}, and confirm the key:`);
    print("");
    print(`  ${link}`);
    print("");
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    try {
      for (;;) {
        process.stdout.write("Then press Enter here (Ctrl-C to give up). ");
        if (!(await waitForEnter(rl))) {
          print("");
          throw new CliError("Login cancelled: the key was not confirmed. Run login again when you are ready.");
        }
        found = await findActorByKey(server, didKey);
        if (found) break;
        print("");
        print(`${server} does not know this key yet: it is not registered. Confirm it here first:`);
        print("");
        print(`  ${link}`);
        print("");
      }
    } finally {
      rl.close();
    }
  }

  const actor = await fetchActor(found.actor);
  const partial = { server, did_key: didKey, actor: found.actor, outbox: actor.outbox, key_file: keyFile, privateKey };
  const { res, body } = await signedRequest(partial, "GET", `${server}/auth/me`);
  expectStatus(res, body, [200], "Confirming the login (GET /auth/me)");
  const username = typeof body?.username === "string" ? body.username : String(actor.preferredUsername ?? "");
  await saveLogin(dir, { server, did_key: didKey, actor: found.actor, username, outbox: actor.outbox, key_file: keyFile });
  print(`Logged in as ${username} (${found.actor})`);
}

async function cmdWhoami(args) {
  const { positionals } = parseFlags(args, []);
  if (positionals.length) throw new CliError(`Usage: ${PROGRAM} whoami`);
  const login = await loadLogin(configDir());
  const { res, body } = await signedRequest(login, "GET", `${login.server}/auth/me`);
  expectStatus(res, body, [200], "whoami");
  print(`username: ${body?.username ?? login.username}`);
  print(`actor:    ${login.actor}`);
  print(`server:   ${login.server}`);
  print(`did:key:  ${login.did_key}`);
}

const PROGRESS_THRESHOLD = 8 * 1024 * 1024;

/** SHA3-256 of a file, read as a stream; percentage lines on stderr for files over 8 MiB. */
async function hashFile(file, size) {
  const hash = createHash("sha3-256");
  const showProgress = size > PROGRESS_THRESHOLD;
  let done = 0;
  let shown = -1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk);
    done += chunk.length;
    if (showProgress) {
      const percent = Math.floor((done / size) * 100);
      if (percent >= shown + 10 || (percent === 100 && shown !== 100)) {
        shown = percent;
        note(`Hashing ${path.basename(file)}: ${percent}%`);
      }
    }
  }
  return hash.digest("hex");
}

async function cmdUpload(args) {
  const { positionals, flags } = parseFlags(args, ["name", "type", "tags"]);
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} upload <file> --name <name> [--type <type>] [--tags a,b]`);
  if (!flags.name) throw new CliError("upload needs --name <name>: the name the asset is registered under.");
  if (flags.type && !ASSET_TYPES.includes(flags.type)) throw new CliError(`--type must be one of ${ASSET_TYPES.join(", ")}.`);
  const file = positionals[0];
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new CliError(err.code === "ENOENT" ? `File not found: ${file}` : `Cannot read ${file}: ${err.message}`);
  }
  if (!info.isFile()) throw new CliError(`Not a regular file: ${file}`);
  const login = await loadLogin(configDir());

  let contentHash;
  try {
    contentHash = await hashFile(file, info.size);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${err.message}`);
  }
  const assetType = flags.type ?? guessAssetType(file);
  const tags = flags.tags ? parseTags(flags.tags) : [];
  const activity = buildCreateActivity({ actor: login.actor, name: flags.name, contentHash, assetType, tags });
  const { res, body } = await signedRequest(login, "POST", login.outbox, activity);
  expectStatus(res, body, [201], `Registering ${flags.name}`);
  // The answer is POST /assets's: {asset, activity}; Location names the new activity.
  const asset = body?.asset ?? {};
  const location = res.headers.get("location") ?? body?.activity?.id;
  print(`Registered ${asset.name ?? flags.name}`);
  print(`  type:     ${asset.asset_type ?? assetType}`);
  print(`  sha3-256: ${contentHash}`);
  print(`  activity: ${location ? new URL(location, login.outbox).href : "(the server named none)"}`);
}

async function cmdList(args) {
  const { positionals } = parseFlags(args, []);
  if (positionals.length) throw new CliError(`Usage: ${PROGRAM} list`);
  const login = await loadLogin(configDir());
  const items = [];
  let cursor = null;
  do {
    const url = new URL(`${login.server}/assets`);
    url.searchParams.set("owner", login.username);
    url.searchParams.set("limit", "100");
    if (cursor) url.searchParams.set("cursor", cursor);
    const res = await send(url.href, { headers: { accept: "application/json" } });
    const body = await readJsonBody(res);
    expectStatus(res, body, [200], "Listing assets");
    if (!Array.isArray(body?.items)) throw new CliError("Listing assets failed: the server's answer has no items.");
    items.push(...body.items);
    cursor = typeof body.next_cursor === "string" && body.next_cursor ? body.next_cursor : null;
  } while (cursor);
  if (items.length === 0) {
    print(`${login.username} has no assets yet.`);
    return;
  }
  const width = Math.min(48, Math.max(4, ...items.map((a) => String(a.name).length)));
  print(`${"NAME".padEnd(width)}  ${"TYPE".padEnd(14)}  ${"HASH".padEnd(12)}  CREATED`);
  for (const asset of items) print(formatAssetRow(asset, width));
}

async function cmdRecordRun(args) {
  const { positionals, flags } = parseFlags(args, ["l1", "name", "type"]);
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} record-run <run_id> --l1 <url> --name <output>`);
  if (!flags.l1) throw new CliError("record-run needs --l1 <url>: the renderer the run belongs to.");
  if (!flags.name) throw new CliError("record-run needs --name <output>: the name of the output asset.");
  if (flags.type && !ASSET_TYPES.includes(flags.type)) throw new CliError(`--type must be one of ${ASSET_TYPES.join(", ")}.`);
  const login = await loadLogin(configDir());
  const payload = { run_id: positionals[0], l1_server: flags.l1, output_name: flags.name };
  if (flags.type) payload.asset_type = flags.type;
  const { res, body } = await signedRequest(login, "POST", `${login.server}/assets/record-run`, payload);
  expectStatus(res, body, [200, 201], `Recording run ${positionals[0]}`);
  const asset = body?.asset ?? {};
  print(res.status === 201 ? `Recorded run ${positionals[0]} as ${asset.name}` : `Run ${positionals[0]} was already recorded as ${asset.name}`);
  print(`  type:     ${asset.asset_type}`);
  print(`  sha3-256: ${asset.content_hash}`);
  if (body?.activity?.id) print(`  activity: ${body.activity.id}`);
  for (const input of Array.isArray(body?.inputs) ? body.inputs : []) {
    print(`  input:    ${input.name} ${String(input.content_hash).slice(0, 12)}${input.registered ? " (registered now)" : ""}`);
  }
}

export const USAGE = `artdag-client ${VERSION} — the Art DAG L2 command-line client (needs Node 20 or later)

Usage: ${PROGRAM} <command> [options]

Commands:
  login <server>                 make (or reuse) this client's key, confirm it in the browser, log in
  whoami                         who this client acts as, on which server, with which key
  upload <file> --name <name> [--type <type>] [--tags a,b]
                                 hash the file (SHA3-256, locally) and register it as your asset
  list                           your assets, newest first
  record-run <run_id> --l1 <url> --name <output> [--type <type>]
                                 record a completed L1 run as your asset
  help                           this text

Types: ${ASSET_TYPES.join(", ")} (upload guesses image/video/audio from the file extension).
Files live in $ARTDAG_CLIENT_HOME, else $XDG_CONFIG_HOME/artdag, else ~/.config/artdag.
`;

const COMMANDS = { login: cmdLogin, whoami: cmdWhoami, upload: cmdUpload, list: cmdList, "record-run": cmdRecordRun };

/** Runs one command line; answers the exit code. Every failure is a message on stderr, never a stack. */
export async function main(argv) {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return 2;
  }
  if (command === "--version" || command === "version") {
    print(VERSION);
    return 0;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    note(`Unknown command: ${command}`);
    note("");
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    await run(args);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      note(`Error: ${err.message}`);
      return err.exitCode;
    }
    note(`Error: ${err?.message ?? String(err)}`);
    return 1;
  }
}

function executedDirectly() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (executedDirectly()) {
  const [major] = process.versions.node.split(".").map(Number);
  if (major < 20) {
    process.stderr.write(`Error: artdag-client needs Node 20 or later; this is Node ${process.versions.node}.\n`);
    process.exit(1);
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`Error: ${err?.message ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
