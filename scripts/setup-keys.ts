// npm run setup-keys -- [--data-dir DIR] [--user NAME]
// Creates the RSA key pair of a user in DIR/keys (default: $ARTDAG_DATA and $ARTDAG_USER); an
// existing key is never overwritten.
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, getConfig } from "../lib/config";
import { actorKeyPaths, ensureActorKeyPair } from "../lib/crypto";

async function main() {
  const { values } = parseArgs({
    options: { "data-dir": { type: "string" }, user: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log("usage: npm run setup-keys -- [--data-dir DIR] [--user NAME]");
    return;
  }
  const config = getConfig();
  const dataDir = values["data-dir"] ? path.resolve(values["data-dir"]) : config.dataDir;
  const user = values.user ?? config.primaryUser;
  if (!/^[a-z0-9_]{1,32}$/.test(user)) throw new ConfigError("--user", `'${user}' is not a valid username ([a-z0-9_]{1,32})`);
  const keysDir = path.join(dataDir, "keys");
  const { created } = await ensureActorKeyPair(keysDir, user);
  const paths = actorKeyPaths(keysDir, user);
  console.log(created ? `Created ${paths.privateKey} (mode 600) and ${paths.publicKey}` : `Kept the existing key ${paths.privateKey} (never overwritten)`);
}

main().catch((err) => {
  console.error(`setup-keys: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
