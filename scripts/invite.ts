// npm run invite -- [--username NAME] [--days N]
// Prints a single-use registration link ({baseUrl}/register?invite=…), valid for 7 days unless
// --days says otherwise. With --username the link registers exactly that name, even a reserved one
// (the instance actor): the operator's way to claim it from the browser while the server runs. The
// invite is signed with the server's JWT secret and needs no database, so run this with the
// server's environment (ARTDAG_DATA, JWT_SECRET); it works while the server holds the database.
import { parseArgs } from "node:util";
import { inviteLink, INVITE_TTL_DAYS, issueInvite, usernameSchema } from "../lib/accounts";
import { ConfigError, getConfig } from "../lib/config";
import { resolveJwtSecret } from "../lib/tokens";

function fail(message: string): never {
  console.error(`invite: ${message}`);
  process.exit(1);
}

function main() {
  const { values } = parseArgs({
    options: { username: { type: "string" }, days: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(`usage: npm run invite -- [--username NAME] [--days N]   (a single-use registration link, valid ${INVITE_TTL_DAYS} days by default)`);
    return;
  }
  let username: string | null = null;
  if (values.username !== undefined) {
    const parsed = usernameSchema.safeParse(values.username);
    if (!parsed.success) fail(`--username: '${values.username}' is not a valid username: ${parsed.error.issues[0].message}`);
    username = parsed.data;
  }
  const days = values.days === undefined ? INVITE_TTL_DAYS : /^\d+$/.test(values.days) ? Number(values.days) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 365) fail(`--days: '${values.days}' is not a whole number of days from 1 to 365`);
  const config = getConfig();
  if (config.registration === "closed") {
    fail("REGISTRATION=closed refuses every registration, invites included: set REGISTRATION=invite (or open), or use `npm run create-user -- NAME`");
  }
  const secret = resolveJwtSecret(config);
  const { token, invite } = issueInvite(new TextEncoder().encode(secret.secret), { username, days });
  console.log(inviteLink(config.baseUrl, token));
  console.log(`Single use, valid until ${invite.expiresAt.toISOString()}${username ? `, for the username '${username}' only` : ""}.`);
}

try {
  main();
} catch (err) {
  fail(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err));
}
