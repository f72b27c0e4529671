// Renderers (L1s) that are down or hang during logout (issue 12, item 11): the logout neither waits
// for them nor fails, their tokens are dead at once at /auth/verify, and the notice they are owed
// survives a `kill -9` of L2 and reaches them once they are up. L2 runs as its own spawned server
// listing two L1s of this test: FAULTS_L1, which the test runs (recording, hanging or answering),
// and a second port where nothing listens.
import { expect, test, type Page } from "@playwright/test";
import { startFakeL1, type FakeL1 } from "./fixtures/fake-l1";
import { PASSWORD, uniqueUsername } from "./support/api";
import { faultEnv, registerUsers, restart } from "./support/faults";
import { until, type WriterUser } from "./support/load";
import { FAULTS_L1, FAULTS_RENDERERS } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

/** Listed in L1_SERVERS, nothing listens there (until a test starts an L1 on it). */
const DOWN_L1 = { port: 8375, url: "http://127.0.0.1:8375" };
const base = FAULTS_RENDERERS.url;
const env = faultEnv(null, { L1_SERVERS: `${FAULTS_L1.url},${DOWN_L1.url}` });

/** An L1 that records every revocation call and never answers it (its connection stays open). */
async function hangingL1(): Promise<{ l1: FakeL1; calls: { path: string; body: string }[] }> {
  const calls: { path: string; body: string }[] = [];
  const l1 = await startFakeL1({
    port: FAULTS_L1.port,
    routes: [
      {
        method: "POST",
        path: /^\/auth\/revoke(-user)?$/,
        handle(req) {
          let body = "";
          req.setEncoding("utf8").on("data", (s: string) => (body += s));
          // Never answered: L2 gives up on its own (its 10 s timeout) and retries from its queue.
          req.on("end", () => calls.push({ path: req.url ?? "", body }));
        },
      },
    ],
  });
  return { l1, calls };
}

/** An L1 that answers every revocation call 200 and records it. */
async function answeringL1(port: number): Promise<{ l1: FakeL1; calls: { path: string; body: string }[] }> {
  const calls: { path: string; body: string }[] = [];
  const l1 = await startFakeL1({
    port,
    routes: [
      {
        method: "POST",
        path: /^\/auth\/revoke(-user)?$/,
        handle(req, res) {
          let body = "";
          req.setEncoding("utf8").on("data", (s: string) => (body += s));
          req.on("end", () => {
            calls.push({ path: req.url ?? "", body });
            res.writeHead(200, { "content-type": "application/json" }).end('{"revoked":true}');
          });
        },
      },
    ],
  });
  return { l1, calls };
}

/** Attaches the user to `l1` with its Bearer token; returns the scoped token from the redirect. */
async function attach(user: WriterUser, l1: string, headers: Record<string, string> = { authorization: `Bearer ${user.token}` }): Promise<string> {
  const res = await fetch(`${base}/renderers/attach`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ l1_server: l1 }),
    redirect: "manual",
  });
  expect(res.status, await res.text()).toBe(303);
  const location = new URL(res.headers.get("location")!);
  expect(location.origin).toBe(l1);
  return location.searchParams.get("auth_token")!;
}

/** POST /auth/verify as the L1 would: the status and body. */
async function verify(token: string, l1: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, l1_server: l1 }),
  });
  return { status: res.status, body: await res.json() };
}

async function expectDead(token: string, l1: string) {
  expect(await verify(token, l1), `the token for ${l1} is refused`).toEqual({ status: 401, body: { valid: false, active: false } });
}

async function expectAlive(token: string, l1: string) {
  const answer = await verify(token, l1);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body).toMatchObject({ valid: true, active: true, l1_server: l1 });
}

async function logout(user: WriterUser): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${user.token}` } });
  return { status: res.status, body: await res.json() };
}

test.describe("renderers down or hanging during logout", () => {
  test.describe.configure({ mode: "serial" });
  let server: SpawnedServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    wipeDataDir(FAULTS_RENDERERS);
    server = await startServer(FAULTS_RENDERERS, env, 120_000);
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test("with one L1 hanging and one down, POST /auth/logout answers 200 and both renderer tokens are dead at once; the hanging L1 is still sent its notices", async () => {
    test.setTimeout(120_000);
    const { l1, calls } = await hangingL1();
    try {
      const [user] = await registerUsers(FAULTS_RENDERERS, "hang", 1);
      const toHanging = await attach(user, FAULTS_L1.url);
      const toDown = await attach(user, DOWN_L1.url);
      await expectAlive(toHanging, FAULTS_L1.url);
      await expectAlive(toDown, DOWN_L1.url);

      // The L1s answer nothing at all, ever: a logout that waited for them would not answer.
      expect(await logout(user)).toEqual({ status: 200, body: { revoked: true } });
      await expectDead(toHanging, FAULTS_L1.url);
      await expectDead(toDown, DOWN_L1.url);
      const me = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${user.token}` } });
      expect(me.status, "the login token itself is dead too").toBe(401);

      // The notices go from the queue, after the answer: they reach the hanging L1, which holds them.
      await until("the hanging L1 is sent /auth/revoke", () => calls.some((c) => c.path === "/auth/revoke" && c.body.includes(toHanging)), 30_000);
      await expectDead(toHanging, FAULTS_L1.url);
    } finally {
      await l1.close();
    }
  });

  test("in the browser, the /logout form with an attached L1 that hangs: signed out, back on the home page, and the renderer token is dead", async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const { l1 } = await hangingL1();
    const context = await browser.newContext({ baseURL: base });
    try {
      const page: Page = await context.newPage();
      const username = uniqueUsername("hangbr");
      await page.goto("/register");
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Repeat password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByTestId("signed-in-user")).toHaveText(username);
      const cookie = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join("; ");
      const scoped = await attach({ username, token: "" }, FAULTS_L1.url, { cookie, origin: base });
      await expectAlive(scoped, FAULTS_L1.url);

      await page.goto("/logout");
      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page).toHaveURL(`${base}/`);
      await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
      await expectDead(scoped, FAULTS_L1.url);
      const copied = await fetch(`${base}/renderers`, { headers: { accept: "application/json", cookie } });
      expect(copied.status, "a copy of the old session cookie is dead").toBe(401);
    } finally {
      await context.close();
      await l1.close();
    }
  });

  test("the notice owed to an L1 that is down survives kill -9 of L2: after the restart the L1, now up, is told revoke and revoke-user", async () => {
    test.setTimeout(240_000);
    const [user] = await registerUsers(FAULTS_RENDERERS, "crash", 1);
    const scoped = await attach(user, DOWN_L1.url);
    expect(await logout(user)).toEqual({ status: 200, body: { revoked: true } });
    await expectDead(scoped, DOWN_L1.url);

    expect((await server!.kill()).signal).toBe("SIGKILL");
    const { l1, calls } = await answeringL1(DOWN_L1.port);
    try {
      server = await restart(FAULTS_RENDERERS, env);
      await expectDead(scoped, DOWN_L1.url);
      await until(
        "the L1 is told /auth/revoke and /auth/revoke-user after the restart",
        () =>
          calls.some((c) => c.path === "/auth/revoke" && c.body === JSON.stringify({ token: scoped })) &&
          calls.some((c) => c.path === "/auth/revoke-user" && c.body === JSON.stringify({ username: user.username })),
        150_000,
      );
    } finally {
      await l1.close();
    }
  });
});
