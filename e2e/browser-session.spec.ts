// A person in a real browser: registers, is signed in, logs out through the POST form, and the
// session is revoked — a copy of the old cookie, replayed from another browser, is anonymous too.
import { expect, test, type BrowserContext, type Cookie, type Page } from "@playwright/test";
import { PASSWORD, uniqueUsername } from "./support/api";

const SESSION_COOKIE = /^authjs\.session-token(\.\d+)?$/;

function sessionCookies(cookies: Cookie[]): Cookie[] {
  return cookies.filter((c) => SESSION_COOKIE.test(c.name));
}

function cookieHeader(cookies: Cookie[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

async function expectSignedInAs(page: Page, username: string) {
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
}

async function expectAnonymous(page: Page) {
  const state = page.getByTestId("session-state");
  await expect(state.getByRole("link", { name: "Log in" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
}

/** A second browser (its own cookie jar) holding a copy of the given cookies. */
async function browserWith(browser: import("@playwright/test").Browser, cookies: Cookie[]): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addCookies(cookies);
  return context;
}

test("a person registers, is signed in, logs out through the form, and their old session cookie is revoked everywhere", async ({ page, browser, request }) => {
  const username = uniqueUsername("browser");

  await test.step("register through the form and land signed in on the home page", async () => {
    await page.goto("/register");
    await expectAnonymous(page);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/");
    await expectSignedInAs(page, username);
  });

  const copied = sessionCookies(await page.context().cookies());
  expect(copied.length, "the browser holds a session cookie").toBeGreaterThan(0);

  await test.step("the copied cookie works from another browser while the session is live", async () => {
    const other = await browserWith(browser, copied);
    const otherPage = await other.newPage();
    await otherPage.goto("/");
    await expectSignedInAs(otherPage, username);
    await other.close();
    const meWithCookie = await request.get("/auth/me", { headers: { cookie: cookieHeader(copied) } });
    expect(meWithCookie.status()).toBe(200);
    expect(await meWithCookie.json()).toMatchObject({ username });
  });

  await test.step("opening /logout does not log out: it shows a form with a Log out button", async () => {
    await page.goto("/logout");
    await expectSignedInAs(page, username);
    await expect(page.getByText(`You are signed in as ${username}`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
    await page.goto("/");
    await expectSignedInAs(page, username);
    const stillValid = await request.get("/auth/me", { headers: { cookie: cookieHeader(copied) } });
    expect(stillValid.status(), "a GET of /logout revoked nothing").toBe(200);
  });

  await test.step("clicking Log out signs the browser out", async () => {
    await page.goto("/logout");
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL("/");
    await expectAnonymous(page);
    await page.reload();
    await expectAnonymous(page);
  });

  await test.step("the old cookie, replayed from another browser, is anonymous: the session was revoked", async () => {
    const other = await browserWith(browser, copied);
    const otherPage = await other.newPage();
    await otherPage.goto("/");
    await expectAnonymous(otherPage);
    await other.close();
    const meWithCookie = await request.get("/auth/me", { headers: { cookie: cookieHeader(copied) } });
    expect(meWithCookie.status()).toBe(401);
    expect(await meWithCookie.json()).toMatchObject({ error: "unauthorized", message: expect.any(String) });
  });
});
