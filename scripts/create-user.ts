// npm run create-user -- NAME
// The operator's way to create an account, whatever REGISTRATION says, reserved names included: this
// is how the instance actor (ARTDAG_USER, whose keys exist from the first start) is claimed. Prints a
// generated password once, to this terminal only (it is stored as an argon2id hash, never in clear).
// On the embedded database the server must be stopped: the database takes one process at a time.
import { access, mkdir } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createUserAsOperator, usernameSchema } from "../lib/accounts";
import { ConfigError, getConfig } from "../lib/config";
import type { AppContext } from "../lib/context";
import { actorKeyPaths } from "../lib/crypto";
import { DatabaseLockedError, openDatabase } from "../lib/db";
import { isAppError } from "../lib/errors";
import { resolveJwtSecret } from "../lib/tokens";
import { actorUrl } from "../lib/urls";

function fail(message: string): never {
  console.error(`create-user: ${message}`);
  process.exit(1);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  if (values.help || positionals.length !== 1) {
    console.log("usage: npm run create-user -- NAME   (creates the account NAME and prints its generated password once)");
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const parsed = usernameSchema.safeParse(positionals[0]);
  if (!parsed.success) fail(`'${positionals[0]}' is not a valid username: ${parsed.error.issues[0].message}`);
  const username = parsed.data;
  const config = getConfig();
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  if (!config.databaseUrl) await mkdir(config.pgliteDir, { recursive: true });
  let db;
  try {
    db = await openDatabase({ url: config.databaseUrl, pgliteDir: config.databaseUrl ? null : config.pgliteDir, migrate: config.migrateOnStart });
  } catch (err) {
    if (err instanceof DatabaseLockedError) {
      fail(`${err.message}; or, while it runs, \`npm run invite -- --username ${username}\` prints a link that creates the account in the browser`);
    }
    throw err;
  }
  try {
    const ctx: AppContext = {
      config,
      prisma: db.prisma,
      jwtSecret: new TextEncoder().encode(resolveJwtSecret(config).secret),
      // Creating an account enqueues nothing; a job here would be a bug worth hearing about.
      jobs: { send: () => Promise.reject(new Error("create-user has no job queue")) },
      now: () => new Date(),
    };
    const keptKeys = await access(actorKeyPaths(config.keysDir, username).privateKey).then(
      () => true,
      () => false,
    );
    const { password } = await createUserAsOperator(ctx, username);
    console.log(`Created the account '${username}' (${actorUrl(ctx, username)})${keptKeys ? ", with the key pair it already had" : ""}.`);
    console.log(`Its password, shown this once: ${password}`);
    console.log(`Log in at ${config.baseUrl}/login`);
  } catch (err) {
    if (isAppError(err)) fail(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

main()
  .catch((err) => {
    console.error(`create-user: ${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  // The wasm migration engine leaves a timer pending; without this the process lingers.
  .finally(() => setTimeout(() => process.exit(), 10).unref());
