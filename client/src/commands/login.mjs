// `login <server>`: make or reuse this server's key, have the person confirm it (BIN-2), save the login.
import { generateKeyPairSync } from "node:crypto";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { hasScheme, normalizeServer, parseCommandLine } from "../args.mjs";
import { configDir, ensureConfigDir, keyFileName, readKeyFile, saveLogin, writeKeyFile } from "../config.mjs";
import { expectArtDagL2, expectStatus, fetchActor, findActorByKey, signedRequest } from "../http.mjs";
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

export const loginCommand = {
  name: "login",
  usage: "login <server>",
  summary: "make (or reuse) this client's key, confirm it in the browser, log in",
  help: `Checks that <server> is an Art DAG L2 (its NodeInfo), then makes an Ed25519 key for it (or
reuses the one made before) and prints a link: open it in a browser where you are logged in and
confirm the key. The key is registered with this computer's name as its label. Then press Enter.

<server> is an address such as https://l2.example; without a scheme, https is meant
(for a local server that speaks plain HTTP, give http://localhost:8200).`,
  options: {},
  run: cmdLogin,
};

/** The server a `login` argument names, and the advice when https was only assumed and did not answer. */
async function reachArtDagL2(typed) {
  const server = normalizeServer(typed);
  try {
    await expectArtDagL2(server);
  } catch (err) {
    if (err instanceof CliError && !hasScheme(typed) && /^Cannot reach /.test(err.message)) {
      const plain = server.replace(/^https:/, "http:");
      throw new CliError(
        `${err.message}\nNo scheme was given, so https was tried. If the server speaks plain HTTP (a local one usually does), try: ${PROGRAM} login ${plain}`,
      );
    }
    throw err;
  }
  return server;
}

async function cmdLogin(args) {
  const { positionals } = parseCommandLine(args, {});
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} ${loginCommand.usage}`, 2);
  // Before a key is made or a link shown: the server is there, and it is an Art DAG L2.
  const server = await reachArtDagL2(positionals[0]);
  const dir = configDir();
  const keyFile = path.join(dir, "keys", keyFileName(server));

  let privateKey = await readKeyFile(keyFile);
  const reused = privateKey !== null;
  privateKey ??= generateKeyPairSync("ed25519").privateKey;
  const didKey = didKeyFromPublicKey(privateKey);
  let found = await findActorByKey(server, didKey);
  await ensureConfigDir(dir);
  if (!reused) await writeKeyFile(keyFile, privateKey);

  // The label the key is registered with: this computer's name, so the person can tell their keys apart.
  const label = os.hostname().slice(0, 100);
  const link = `${server}/registerPublicKey?key=${didKey}${label ? `&label=${encodeURIComponent(label)}` : ""}`;
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
