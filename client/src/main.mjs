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
//
// Built by scripts/build-client.ts (`npm start` runs it) from the modules in client/src/ of the
// Art DAG L2 sources; client/src/main.mjs, the entry module, starts with these same lines.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ASSET_TYPES } from "./assets.mjs";
import { cmdList } from "./commands/list.mjs";
import { cmdLogin } from "./commands/login.mjs";
import { cmdRecordRun } from "./commands/record-run.mjs";
import { cmdUpload } from "./commands/upload.mjs";
import { cmdWhoami } from "./commands/whoami.mjs";
import { CliError, note, print, PROGRAM, VERSION } from "./program.mjs";

// The helpers the one-file client has always exported (a script may import them from it).
export { normalizeServer, parseFlags, parseTags } from "./args.mjs";
export { ASSET_TYPES, buildCreateActivity, guessAssetType, objectTypeFor } from "./assets.mjs";
export { decodeBase58btc, encodeBase58btc } from "./base58.mjs";
export { formatAssetRow } from "./commands/list.mjs";
export { configDir, keyFileName } from "./config.mjs";
export { didKeyFromPublicKey, ed25519PublicKeyBytes, privateKeyFromMultibase, privateKeyFromSeed } from "./keys.mjs";
export { digestHeader, mooAuthHeaders, mooSignature, mooSigningString } from "./moo-auth.mjs";
export { CliError, VERSION } from "./program.mjs";

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
