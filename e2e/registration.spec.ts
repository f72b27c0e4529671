// Who may create an account (issue 12, item 4): the instance actor (ARTDAG_USER, giles here) is
// reserved for the operator, REGISTRATION=closed refuses everyone, REGISTRATION=invite needs a
// single-use link from `npm run invite`, which can also name the reserved actor so the operator
// claims it from the browser while the server runs. Both doors are checked: POST /auth/register and
// the /register form. NodeInfo's openRegistrations follows.
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { expectError, PASSWORD, postLogin, postRegister, register, uniqueUsername, userCount } from "./support/api";
import { MAIN, NO_RATE_LIMITS, REGISTRATION_CLOSED, REGISTRATION_INVITE, type ServerSpec } from "./support/servers";
import { runScript, startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

interface NodeInfo {
  openRegistrations: unknown;
  usage: { users: { total: number } };
}

async function nodeInfo(request: APIRequestContext, base: string): Promise<NodeInfo> {
  return (await (await request.get(`${base}/nodeinfo/2.1`)).json()) as NodeInfo;
}

async function openRegistrations(request: APIRequestContext, base: string): Promise<unknown> {
  return (await nodeInfo(request, base)).openRegistrations;
}

async function submitRegistration(page: Page, username: string | null) {
  if (username !== null) await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function expectNoForm(page: Page, text: string | RegExp) {
  await expect(page.getByTestId("registration-refused")).toContainText(text);
  await expect(page.getByLabel("Password", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create account" })).toHaveCount(0);
}

/** A fresh browser page (no cookie of another test or server). */
async function freshPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test.describe("the instance actor on the main server (REGISTRATION open)", () => {
  test("POST /auth/register giles → 409 username_reserved; nothing is created and giles cannot log in", async ({ request }) => {
    const before = await userCount(request);
    const body = await expectError(await postRegister(request, { username: "giles", password: PASSWORD }), 409, "username_reserved");
    expect(body.message).toBe("The username 'giles' is reserved for this instance's operator (its keys already exist).");
    expect(body.fields?.username).toBe("This username is reserved for the operator of this instance.");
    expect(await userCount(request)).toBe(before);
    await expectError(await postLogin(request, { username: "giles", password: PASSWORD }), 401, "invalid_credentials");
    expect((await request.get("/users/giles", { headers: { accept: "application/activity+json" } })).status()).toBe(404);
  });

  test("the register form shows that giles is reserved, next to the username, and stays signed out", async ({ page }) => {
    await page.goto("/register");
    await submitRegistration(page, "giles");
    await expect(page.getByLabel("Username")).toHaveAccessibleDescription("This username is reserved for the operator of this instance.");
    await expect(page).toHaveURL("/register");
    await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
  });

  test("other names still register, and NodeInfo says registrations are open", async ({ request }) => {
    await register(request, uniqueUsername("open"));
    expect(await openRegistrations(request, MAIN.url)).toBe(true);
  });
});

function serverSuite(spec: ServerSpec, mode: "closed" | "invite") {
  const env = { REGISTRATION: mode, JWT_SECRET: `e2e-registration-${mode}-secret-0123456789abcdef0123456789`, ...NO_RATE_LIMITS };
  let server: SpawnedServer | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    wipeDataDir(spec);
    server = await startServer(spec, env);
  });
  test.afterAll(async () => {
    await server?.stop();
  });
  return env;
}

test.describe("REGISTRATION=closed", () => {
  const env = serverSuite(REGISTRATION_CLOSED, "closed");
  const base = REGISTRATION_CLOSED.url;

  test("POST /auth/register → 403 registration_closed, with or without an invite; nothing is created", async ({ request }) => {
    for (const body of [
      { username: uniqueUsername("closed"), password: PASSWORD },
      { username: uniqueUsername("closed"), password: PASSWORD, invite: "inv1.x" },
      { username: "giles", password: PASSWORD },
    ]) {
      const res = await request.post(`${base}/auth/register`, { data: body });
      const err = await expectError(res, 403, "registration_closed");
      expect(err.message).toContain("Registration is closed on this server");
    }
    expect((await nodeInfo(request, base)).usage.users.total).toBe(0);
  });

  test("the register page says so and shows no form; NodeInfo says closed; npm run invite refuses", async ({ browser, request }) => {
    const page = await freshPage(browser);
    await page.goto(`${base}/register`);
    await expectNoForm(page, "Registration is closed on this server");
    expect(await openRegistrations(request, base)).toBe(false);
    const r = await runScript(REGISTRATION_CLOSED, "invite.ts", [], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "invite: REGISTRATION=closed refuses every registration, invites included: set REGISTRATION=invite (or open), or use `npm run create-user -- NAME`",
    );
    expect(r.stdout).toBe("");
    await page.context().close();
  });
});

test.describe("REGISTRATION=invite", () => {
  const env = serverSuite(REGISTRATION_INVITE, "invite");
  const base = REGISTRATION_INVITE.url;

  async function newInvite(args: string[] = []): Promise<string> {
    const r = await runScript(REGISTRATION_INVITE, "invite.ts", args, env);
    expect(r.code, r.stderr).toBe(0);
    const [link, note] = r.stdout.trim().split("\n");
    expect(link).toMatch(new RegExp(`^${base}/register\\?invite=inv1\\.[A-Za-z0-9_.-]+$`));
    expect(note).toMatch(/^Single use, valid until \d{4}-\d\d-\d\dT/);
    return link;
  }

  test("without an invite: POST → 403 invite_required, the page explains and shows no form; NodeInfo says closed", async ({ browser, request }) => {
    for (const invite of [undefined, ""]) {
      await expectError(
        await request.post(`${base}/auth/register`, { data: { username: uniqueUsername("noinv"), password: PASSWORD, invite } }),
        403,
        "invite_required",
      );
    }
    const page = await freshPage(browser);
    await page.goto(`${base}/register`);
    await expectNoForm(page, "Registration on this server is by invitation");
    expect(await openRegistrations(request, base)).toBe(false);
    await page.context().close();
  });

  test("an invite link registers once through the form; the link then says it was used, and POST with it → 409 invite_used", async ({ browser, request }) => {
    const link = await newInvite();
    const invite = new URL(link).searchParams.get("invite")!;
    const page = await freshPage(browser);
    await page.goto(link);
    const username = uniqueUsername("invited");
    await submitRegistration(page, username);
    await expect(page).toHaveURL(`${base}/`);
    await expect(page.getByTestId("signed-in-user")).toHaveText(username);
    await page.context().close();

    const again = await freshPage(browser);
    await again.goto(link);
    await expectNoForm(again, "This invite was already used");
    await again.context().close();
    const used = await request.post(`${base}/auth/register`, { data: { username: uniqueUsername("reuse"), password: PASSWORD, invite } });
    await expectError(used, 409, "invite_used");
  });

  test("an invite works once through POST /auth/register too; a forged or foreign invite → 403 invite_invalid and shows no form", async ({
    browser,
    request,
  }) => {
    const invite = new URL(await newInvite()).searchParams.get("invite")!;
    const username = uniqueUsername("apiinv");
    const ok = await request.post(`${base}/auth/register`, { data: { username, password: PASSWORD, invite } });
    expect(ok.status(), await ok.text()).toBe(201);
    expect(await ok.json()).toMatchObject({ username, token_type: "bearer" });

    const fresh = new URL(await newInvite()).searchParams.get("invite")!;
    const parts = fresh.split(".");
    const forged = [
      fresh.slice(0, -1) + (fresh.endsWith("A") ? "B" : "A"),
      [...parts.slice(0, 2), String(Number(parts[2]) + 86_400), ...parts.slice(3)].join("."),
      [...parts.slice(0, 3), "giles", parts[4]].join("."),
      "inv1.not-an-invite",
      "x".repeat(300),
    ];
    for (const bad of forged) {
      const res = await request.post(`${base}/auth/register`, { data: { username: uniqueUsername("forged"), password: PASSWORD, invite: bad } });
      await expectError(res, bad.length > 256 ? 400 : 403, bad.length > 256 ? "invalid_request" : "invite_invalid");
    }
    const page = await freshPage(browser);
    await page.goto(`${base}/register?invite=${encodeURIComponent(forged[0])}`);
    await expectNoForm(page, "This invite link is not valid");
    await page.context().close();
    // The forgeries used nothing up: the genuine invite still works.
    expect((await request.post(`${base}/auth/register`, { data: { username: uniqueUsername("genuine"), password: PASSWORD, invite: fresh } })).status()).toBe(
      201,
    );
  });

  test("npm run invite -- --username giles lets the operator claim the reserved instance actor in the browser, with its key pair", async ({
    browser,
    request,
  }) => {
    await expectError(
      await request.post(`${base}/auth/register`, {
        data: { username: "giles", password: PASSWORD, invite: new URL(await newInvite()).searchParams.get("invite") },
      }),
      409,
      "username_reserved",
    );
    const link = await newInvite(["--username", "giles"]);
    const invite = new URL(link).searchParams.get("invite")!;
    await expectError(
      await request.post(`${base}/auth/register`, { data: { username: uniqueUsername("notgiles"), password: PASSWORD, invite } }),
      403,
      "invite_invalid",
    );
    const page = await freshPage(browser);
    await page.goto(link);
    await expect(page.getByLabel("Username")).toHaveValue("giles");
    await expect(page.getByLabel("Username")).toHaveAttribute("readonly", "");
    await submitRegistration(page, null);
    await expect(page).toHaveURL(`${base}/`);
    await expect(page.getByTestId("signed-in-user")).toHaveText("giles");
    await page.context().close();

    const actor = await request.get(`${base}/users/giles`, { headers: { accept: "application/activity+json" } });
    expect(actor.status()).toBe(200);
    const keyFile = readFileSync(`${REGISTRATION_INVITE.dataDir}/keys/giles.pub`, "utf8");
    expect(((await actor.json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem.trim()).toBe(keyFile.trim());
    // Claimed once: the account exists, the invite is spent.
    await expectError(await request.post(`${base}/auth/register`, { data: { username: "giles", password: PASSWORD, invite } }), 409, "invite_used");
  });
});
