// One process per embedded database (issue 12, item 5): a second server, a db:* script or
// create-user on a data folder whose PGlite database a running server holds stops with one line
// naming that server; a server killed with SIGKILL leaves nothing that blocks the next start. The
// operator claims the reserved instance actor with create-user once the server is stopped.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { login, me, register, uniqueUsername } from "./support/api";
import { LOCKED, LOCKED_TWIN, NO_RATE_LIMITS } from "./support/servers";
import { runScript, runUntilExit, startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

const ENV = { JWT_SECRET: "e2e-dblock-secret-0123456789abcdef0123456789abcdef", ...NO_RATE_LIMITS };
const LOCK_LINE =
  /^the embedded database \S+\/pglite is in use by process (\d+) \((.*scripts\/start\.ts.*), started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\): stop that process first/;

/** The one line a refused process printed on stderr (and nothing else there). */
function refusalLine(stderr: string, prefix = ""): RegExpExecArray {
  const lines = stderr.trim().split("\n");
  expect(lines, `one line:\n${stderr}`).toHaveLength(1);
  expect(lines[0].startsWith(prefix)).toBe(true);
  const m = LOCK_LINE.exec(lines[0].slice(prefix.length));
  expect(m, lines[0]).not.toBeNull();
  return m!;
}

test.describe("the embedded database takes one process at a time", () => {
  let server: SpawnedServer | undefined;

  test.afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test("a second server, db:status and create-user are refused with one line naming the running server; after kill -9 the next start works", async ({
    playwright,
  }) => {
    test.setTimeout(240_000);
    wipeDataDir(LOCKED);
    server = await startServer(LOCKED, ENV);
    const request = await playwright.request.newContext({ baseURL: LOCKED.url });
    const username = uniqueUsername("before_kill");
    const token = (await register(request, username)).access_token;

    let holderPid = 0;
    await test.step("a second server on the same ARTDAG_DATA (another port) exits non-zero with the line", async () => {
      const twin = await runUntilExit(LOCKED_TWIN, ENV);
      expect(twin.code, twin.stdout + twin.stderr).toBe(1);
      const m = refusalLine(twin.stderr, "artdag-l2: ");
      holderPid = Number(m[1]);
      // The named process is the running server (the node process that holds the database).
      expect(readFileSync(`/proc/${holderPid}/cmdline`, "utf8")).toContain("scripts/start.ts");
      expect(twin.stdout, "it never became ready").not.toContain('"msg":"ready: ');
    });

    await test.step("the first server still serves reads and writes", async () => {
      expect((await me(request, token)).status()).toBe(200);
      await register(request, uniqueUsername("after_twin"));
    });

    await test.step("npm run db:status and db:deploy are refused with the line", async () => {
      for (const cmd of ["status", "deploy"]) {
        const r = await runScript(LOCKED, "db.ts", [cmd], ENV);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(Number(refusalLine(r.stderr)[1])).toBe(holderPid);
        expect(r.stdout).toBe("");
      }
    });

    await test.step("npm run create-user is refused with the line and points to the invite route", async () => {
      const r = await runScript(LOCKED, "create-user.ts", ["giles"], ENV);
      expect(r.code).toBe(1);
      expect(Number(refusalLine(r.stderr, "create-user: ")[1])).toBe(holderPid);
      expect(r.stderr).toContain("`npm run invite -- --username giles`");
      expect(r.stdout).toBe("");
    });

    await test.step("kill -9 the server: create-user then takes the database and claims the instance actor", async () => {
      const exit = await server!.kill();
      expect(exit.signal ?? exit.code).toBeTruthy();
      server = undefined;
      const r = await runScript(LOCKED, "create-user.ts", ["giles"], ENV);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain("Created the account 'giles' (http://localhost:8350/users/giles), with the key pair it already had.");
      const password = /Its password, shown this once: (\S+)/.exec(r.stdout)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

      server = await startServer(LOCKED, ENV);
      expect((await me(request, token)).status(), "the write acknowledged before the kill is there").toBe(200);
      expect((await login(request, "giles", password!)).username).toBe("giles");
      const actor = await request.get("/users/giles", { headers: { accept: "application/activity+json" } });
      expect(actor.status()).toBe(200);
      const keyPem = readFileSync(`${LOCKED.dataDir}/keys/giles.pub`, "utf8");
      expect(((await actor.json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem.trim()).toBe(keyPem.trim());
    });

    await test.step("a clean stop releases the database: db:status then works", async () => {
      expect(await server!.stop()).toEqual({ code: 0, signal: null });
      server = undefined;
      const r = await runScript(LOCKED, "db.ts", ["status"], ENV);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^applied {2}\d+_init$/m);
      expect(r.stdout).not.toContain("pending");
    });
    await request.dispose();
  });
});
