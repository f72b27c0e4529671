// The account lifecycle on a real PostgreSQL server (DATABASE_URL), when TEST_DATABASE_URL names
// one whose role may CREATE DATABASE: a server is started on a fresh database made for this run.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { query } from "./support/pg-instance";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, expectError, login, me, register, uniqueUsername } from "./support/api";
import { expectAccountLifecycle } from "./support/flows";
import { NO_RATE_LIMITS, POSTGRES, POSTGRES_REPLICA } from "./support/servers";
import { runScript, startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

const adminUrl = process.env.TEST_DATABASE_URL?.trim() || null;

test.describe("on PostgreSQL", () => {
  test.skip(!adminUrl, "TEST_DATABASE_URL is not set: no PostgreSQL server to test on");

  const database = `artdag_e2e_${randomBytes(6).toString("hex")}`;
  let server: SpawnedServer | undefined;
  let request: APIRequestContext;

  /** The URL of the database made for this run. */
  function databaseUrl(): string {
    const url = new URL(adminUrl!);
    url.pathname = `/${database}`;
    return url.toString();
  }

  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(120_000);
    await query(adminUrl!, `CREATE DATABASE ${database}`);
    wipeDataDir(POSTGRES);
    server = await startServer(POSTGRES, { DATABASE_URL: databaseUrl(), ...NO_RATE_LIMITS });
    request = await playwright.request.newContext({ baseURL: POSTGRES.url });
  });

  test.afterAll(async () => {
    await request?.dispose();
    await server?.stop();
    if (adminUrl) await query(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  test("register, /auth/me, login and logout revocation work on PostgreSQL", async () => {
    await expectAccountLifecycle(request, POSTGRES.url);
  });

  test("the accounts live in that database, not in the data folder", async () => {
    const username = uniqueUsername("pguser");
    const { access_token } = await register(request, username);
    const rows = await query(databaseUrl(), "SELECT username FROM users WHERE username = $1", [username]);
    expect(rows).toEqual([{ username }]);
    expect(existsSync(path.join(POSTGRES.dataDir, "pglite")), "no embedded database was made").toBe(false);

    expect((await request.post("/auth/logout", { headers: bearer(access_token) })).status()).toBe(200);
    await expectError(await me(request, access_token), 401, "unauthorized");
    await login(request, username);
  });

  test("a replica on the same ARTDAG_DATA and database starts (no embedded-database lock), shares accounts and keys; db:status runs beside them", async ({
    playwright,
  }) => {
    test.setTimeout(120_000);
    // A replica answers for the same public host (ARTDAG_DOMAIN): tokens name the server they are for.
    const replica = await startServer(POSTGRES_REPLICA, { DATABASE_URL: databaseUrl(), ARTDAG_DOMAIN: `localhost:${POSTGRES.port}`, ...NO_RATE_LIMITS });
    try {
      const other = await playwright.request.newContext({ baseURL: POSTGRES_REPLICA.url });
      const username = uniqueUsername("replica");
      const { access_token } = await register(other, username);
      expect((await me(request, access_token)).status(), "the first server sees the replica's account").toBe(200);
      expect(existsSync(path.join(POSTGRES.dataDir, "keys", `${username}.pem`))).toBe(true);
      const status = await runScript(POSTGRES, "db.ts", ["status"], { DATABASE_URL: databaseUrl() });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^applied {2}\d+_init$/m);
      await other.dispose();
    } finally {
      expect(await replica.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
