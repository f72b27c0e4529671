// The client's files: the config folder, one key file per server and config.json (the current login).
import { createPrivateKey } from "node:crypto";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { didKeyFromPublicKey } from "./keys.mjs";
import { CliError, PROGRAM } from "./program.mjs";

const CONFIG_FILE = "config.json";

/** The config folder: $ARTDAG_CLIENT_HOME, else $XDG_CONFIG_HOME/artdag, else ~/.config/artdag. */
export function configDir(env = process.env, home = os.homedir()) {
  if (env.ARTDAG_CLIENT_HOME) return path.resolve(env.ARTDAG_CLIENT_HOME);
  if (env.XDG_CONFIG_HOME) return path.join(path.resolve(env.XDG_CONFIG_HOME), "artdag");
  return path.join(home, ".config", "artdag");
}

/** The file name of a server's key: `http_localhost_8311.pem`. */
export function keyFileName(server) {
  const url = new URL(server);
  return `${url.protocol.replace(":", "")}_${url.host.replace(/[^A-Za-z0-9.-]/g, "_")}.pem`;
}

export async function ensureConfigDir(dir) {
  await mkdir(path.join(dir, "keys"), { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and ignored for folders that already exist.
  await chmod(dir, 0o700);
  await chmod(path.join(dir, "keys"), 0o700);
}

/** This server's key, if one was made before: reused, so a new login does not orphan a registered key. */
export async function readKeyFile(file) {
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

export async function writeKeyFile(file, key) {
  const pem = key.export({ type: "pkcs8", format: "pem" });
  // `wx`: never overwrite a key that another run wrote meanwhile.
  await writeFile(file, pem, { mode: 0o600, flag: "wx" });
  await chmod(file, 0o600);
}

export async function loadLogin(dir) {
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

export async function saveLogin(dir, login) {
  const file = path.join(dir, CONFIG_FILE);
  await writeFile(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Forgets the login here: config.json and the key file it names (that key is no longer registered). */
export async function forgetLogin(dir, login) {
  await rm(path.join(dir, CONFIG_FILE), { force: true });
  await rm(login.key_file, { force: true });
}
