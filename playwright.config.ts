// End-to-end tests (e2e/) against the built app, served by scripts/start.ts exactly as in
// production. `npm run test:e2e` builds once, then runs this. Two servers are started here (the
// main one and one with tight rate limits) plus the fake L1 renderer the main one lists in
// L1_SERVERS; restart, start-up failure and PostgreSQL tests start their own
// (e2e/support/spawn.ts). Each server's data folder is wiped before it starts.
import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import {
  FAKE_L1,
  MAIN,
  MAIN_JWT_SECRET,
  MAIN_L1_SERVERS,
  MAIN_OTS,
  NO_RATE_LIMITS,
  OTS_CALENDAR_A,
  OTS_CALENDAR_B,
  OTS_ESPLORA,
  RATE_LIMITED,
  serverEnv,
  type ServerSpec,
} from "./e2e/support/servers";

function webServer(server: ServerSpec, env: Record<string, string>) {
  return {
    // Never build here: several servers start at once, and the build ran before the suite.
    command: `rm -rf '${server.dataDir}' && npx tsx scripts/start.ts --no-build`,
    url: `${server.url}/login`,
    env: serverEnv(server, env),
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
  };
}

/** A small fixture server (stub) started before the app servers. */
function stubServer(command: string, url: string) {
  return {
    command,
    url,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
  };
}

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Its own output folder: Playwright empties it at start, and test-results/ also holds unit.json.
  outputDir: "test-results/playwright",
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: MAIN.url,
    browserName: "chromium",
    launchOptions: {
      // Debian's chromium where it is installed; elsewhere Playwright's own (`npx playwright install chromium`).
      executablePath: existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    trace: "retain-on-failure",
  },
  webServer: [
    // The fake L1 that the main server's record-run tests fetch runs from and renderer logins land on
    // (e2e/fixtures/fake-l1.ts); it verifies those logins at the main server.
    {
      command: `npx tsx e2e/fixtures/fake-l1.ts --port ${FAKE_L1.port} --l2 ${MAIN.url}`,
      url: `${FAKE_L1.url}/runs/completed`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore" as const,
      stderr: "pipe" as const,
      gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
    },
    // The OpenTimestamps stubs: an Esplora block source and two calendars that mine into it.
    stubServer(`npx tsx e2e/fixtures/esplora.ts --port ${OTS_ESPLORA.port}`, `${OTS_ESPLORA.url}/__blocks`),
    stubServer(`npx tsx e2e/fixtures/ots-calendar.ts --port ${OTS_CALENDAR_A.port} --esplora ${OTS_ESPLORA.url}`, `${OTS_CALENDAR_A.url}/__state`),
    stubServer(`npx tsx e2e/fixtures/ots-calendar.ts --port ${OTS_CALENDAR_B.port} --esplora ${OTS_ESPLORA.url}`, `${OTS_CALENDAR_B.url}/__state`),
    webServer(MAIN, { JWT_SECRET: MAIN_JWT_SECRET, L1_SERVERS: MAIN_L1_SERVERS, ...NO_RATE_LIMITS, ...MAIN_OTS }),
    webServer(RATE_LIMITED, {
      JWT_SECRET: "e2e-ratelimit-secret-0123456789abcdef0123456789",
      RATE_LIMIT_LOGIN: "3/60",
      RATE_LIMIT_REGISTER: "2/60",
    }),
  ],
});
