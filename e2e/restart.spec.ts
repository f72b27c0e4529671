// Persistence across a restart, and configuration that stops start-up (product.md §1). These
// tests start their own servers (e2e/support/spawn.ts) on their own ports and data folders.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { bearer, expectError, login, me, register, uniqueUsername } from "./support/api";
import { MISCONFIGURED, NO_RATE_LIMITS, RESTARTED } from "./support/servers";
import { runUntilExit, startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

test.describe("a server restarted on the same data folder", () => {
  let server: SpawnedServer | undefined;

  test.afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test("keeps its generated JWT secret, its accounts and their keys, and its revocations", async ({ playwright }) => {
    test.setTimeout(120_000);
    wipeDataDir(RESTARTED);
    // No JWT_SECRET: the server generates one and must keep it in $ARTDAG_DATA/jwt_secret.
    server = await startServer(RESTARTED, { JWT_SECRET: undefined, ...NO_RATE_LIMITS });
    const request = await playwright.request.newContext({ baseURL: RESTARTED.url });

    const username = uniqueUsername("keeper");
    const kept = (await register(request, username)).access_token;
    const revoked = (await login(request, username)).access_token;
    expect((await request.post("/auth/logout", { headers: bearer(revoked) })).status()).toBe(200);
    await expectError(await me(request, revoked), 401, "unauthorized");

    const secretFile = path.join(RESTARTED.dataDir, "jwt_secret");
    const privateKey = path.join(RESTARTED.dataDir, "keys", `${username}.pem`);
    const publicKey = path.join(RESTARTED.dataDir, "keys", `${username}.pub`);
    expect(mode(secretFile).toString(8), "jwt_secret is private").toBe("600");
    expect(mode(privateKey).toString(8), "the private key is private").toBe("600");
    expect(readFileSync(privateKey, "utf8")).toContain("-----BEGIN PRIVATE KEY-----");
    expect(readFileSync(publicKey, "utf8")).toContain("-----BEGIN PUBLIC KEY-----");
    const secret = readFileSync(secretFile, "utf8");

    const exit = await server.stop();
    expect(exit, `a clean shutdown on SIGTERM:\n${server.output()}`).toEqual({ code: 0, signal: null });
    await expect(request.get("/login"), "the server is down").rejects.toThrow();

    server = await startServer(RESTARTED, { JWT_SECRET: undefined, ...NO_RATE_LIMITS });
    expect(readFileSync(secretFile, "utf8"), "the secret was kept, not regenerated").toBe(secret);
    const profile = await me(request, kept);
    expect(profile.status(), "a token issued before the restart still works").toBe(200);
    expect(await profile.json()).toMatchObject({ username });
    await expectError(await me(request, revoked), 401, "unauthorized");
    await login(request, username);
    await request.dispose();
  });
});

test.describe("start-up refuses a bad configuration with one line naming the variable", () => {
  const cases = [
    { variable: "L1_SERVERS", env: { L1_SERVERS: "not-a-url" } },
    { variable: "DATABASE_URL", env: { DATABASE_URL: "postgresql://127.0.0.1:1/x" } },
    { variable: "JWT_SECRET", env: { JWT_SECRET: "too-short" } },
  ];
  for (const c of cases) {
    test(`${c.variable}=${c.env[c.variable as keyof typeof c.env]}`, async () => {
      wipeDataDir(MISCONFIGURED);
      const result = await runUntilExit(MISCONFIGURED, c.env);
      expect(result.code, `it exits with an error:\n${result.stdout}${result.stderr}`).not.toBe(0);
      expect(result.code).not.toBeNull();
      const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
      expect(lines, "exactly one line on stderr").toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^artdag-l2: ${c.variable}: `));
      expect(result.stdout, "it never became ready").not.toContain('"msg":"ready: ');
    });
  }
});
