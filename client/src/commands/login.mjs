// `login <server>`: make or reuse this server's key, have the person confirm it (BIN-2), save the login.
import { generateKeyPairSync } from "node:crypto";
import path from "node:path";
import readline from "node:readline";
import { normalizeServer, parseFlags } from "../args.mjs";
import { configDir, ensureConfigDir, keyFileName, readKeyFile, saveLogin, writeKeyFile } from "../config.mjs";
import { expectStatus, fetchActor, findActorByKey, signedRequest } from "../http.mjs";
import { didKeyFromPublicKey } from "../keys.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

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

export async function cmdLogin(args) {
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
