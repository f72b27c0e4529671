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
import { listCommand } from "./commands/list.mjs";
import { loginCommand } from "./commands/login.mjs";
import { logoutCommand } from "./commands/logout.mjs";
import { recordRunCommand } from "./commands/record-run.mjs";
import { registerCommand } from "./commands/register.mjs";
import { whoamiCommand } from "./commands/whoami.mjs";
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

/** The commands, in the order `help` lists them. */
const COMMANDS = [loginCommand, whoamiCommand, registerCommand, listCommand, recordRunCommand, logoutCommand];

/** A command by its name or one of its aliases (`upload` is `register`). */
function findCommand(name) {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** The overview's lines: each command's short form, its summary beside it (or underneath when it does not fit). */
function commandLines() {
  const entries = [
    ...COMMANDS.map((c) => [c.synopsis ?? c.usage, c.summary]),
    ["help [<command>]", "this text, or one command's"],
    ["--version", "the client's version"],
  ];
  const lines = [];
  for (const [synopsis, summary] of entries) {
    const head = `  ${synopsis}`;
    if (head.length <= 32) lines.push(`${head.padEnd(33)}${summary}`);
    else lines.push(head, `${" ".repeat(33)}${summary}`);
  }
  return lines.join("\n");
}

export const USAGE = `artdag-client ${VERSION} — the Art DAG L2 command-line client (needs Node 20 or later)

Usage: ${PROGRAM} <command> [options]

Commands:
${commandLines()}

Types: ${ASSET_TYPES.join(", ")}
(register guesses image, video or audio from the file's extension).
Files live in $ARTDAG_CLIENT_HOME, else $XDG_CONFIG_HOME/artdag, else ~/.config/artdag.
Run "${PROGRAM} help <command>" for a command's options.
`;

/** One command's help: its usage, what it does and its options. */
function commandHelp(command) {
  const aliases = command.aliases?.length ? `\n(also: ${command.aliases.join(", ")})` : "";
  return `Usage: ${PROGRAM} ${command.usage}${aliases}\n\n${command.summary[0].toUpperCase()}${command.summary.slice(1)}.\n\n${command.help}\n`;
}

/** Whether the arguments ask for help (`-h`/`--help` before any `--`). */
function asksForHelp(args) {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/**
 * Runs one command line; answers the exit code: 0 done (help included), 1 failed, 2 the command
 * line itself was wrong (usage on stderr). Every failure is a message on stderr, never a stack.
 */
export async function main(argv) {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    if (args.length === 0) {
      process.stdout.write(USAGE);
      return 0;
    }
    const command = findCommand(args[0]);
    if (!command || args.length > 1) {
      note(command ? `Usage: ${PROGRAM} help [<command>]` : `Unknown command: ${args[0]}. Commands: ${COMMANDS.map((c) => c.name).join(", ")}.`);
      return 2;
    }
    process.stdout.write(commandHelp(command));
    return 0;
  }
  if (name === "--version" || name === "version") {
    print(VERSION);
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    note(`Unknown command: ${name}`);
    note("");
    process.stderr.write(USAGE);
    return 2;
  }
  if (asksForHelp(args)) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    await command.run(args, name);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      note(`Error: ${err.message}`);
      if (err.exitCode === 2) note(`Run "${PROGRAM} help ${command.name}" for its usage.`);
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
