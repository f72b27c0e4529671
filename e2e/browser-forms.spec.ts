// The login and registration forms show each problem next to its field (as the field's accessible
// description), keep what the person typed, and create nothing; the home page shows live counts.
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, register, uniqueUsername, userCount } from "./support/api";

async function fillRegistration(page: Page, username: string, password: string, confirm = password) {
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Repeat password").fill(confirm);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function expectStillAnonymousOn(page: Page, path: string) {
  await expect(page).toHaveURL(path);
  await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
}

test.describe("registration form", () => {
  const cases = [
    {
      title: "a username with a slash shows the username rule next to the username",
      username: "Al/ice",
      password: PASSWORD,
      field: "Username",
      message: "username may contain only a–z, 0–9 and _ (lower case)",
    },
    {
      title: "a password that is too short shows the length rule next to the password",
      username: uniqueUsername("short"),
      password: "1234567",
      field: "Password",
      message: "password must be at least 8 characters",
    },
    {
      title: "two different passwords show an error next to the repeated password",
      username: uniqueUsername("differ"),
      password: PASSWORD,
      confirm: `${PASSWORD}!`,
      field: "Repeat password",
      message: "The two passwords differ.",
    },
  ];

  for (const c of cases) {
    test(c.title, async ({ page, request }) => {
      const usersBefore = await userCount(request);
      await fillRegistration(page, c.username, c.password, c.confirm);

      const field = page.getByLabel(c.field, { exact: true });
      await expect(field).toHaveAccessibleDescription(c.message);
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator("form").getByRole("alert"), "one error, no other").toHaveText([c.message]);
      await expect(page.getByLabel("Username"), "the username is kept").toHaveValue(c.username);
      await expectStillAnonymousOn(page, "/register");
      expect(await userCount(request), "no account was created").toBe(usersBefore);
    });
  }

  test("a taken username shows that it is taken next to the username", async ({ page, request }) => {
    const username = uniqueUsername("taken");
    await register(request, username);
    await fillRegistration(page, username, `${PASSWORD} other`);
    await expect(page.getByLabel("Username")).toHaveAccessibleDescription("This username is already taken.");
    await expect(page.getByLabel("Username")).toHaveValue(username);
    await expectStillAnonymousOn(page, "/register");
  });
});

test.describe("login form", () => {
  test("a wrong password shows 'Invalid username or password' and keeps the username", async ({ page, request }) => {
    const username = uniqueUsername("formlogin");
    await register(request, username);

    await page.goto("/login");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(`${PASSWORD} wrong`);
    await page.getByRole("button", { name: "Log in" }).click();

    await expect(page.getByTestId("form-error")).toHaveText("Invalid username or password.");
    await expect(page.getByLabel("Username")).toHaveValue(username);
    await expect(page.getByLabel("Password"), "the password is not echoed back").toHaveValue("");
    await expectStillAnonymousOn(page, "/login");
  });

  test("the right password signs the person in", async ({ page, request }) => {
    const username = uniqueUsername("formlogin");
    await register(request, username);

    await page.goto("/login");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();

    await expect(page).toHaveURL("/");
    await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  });
});

test("the home page shows the live number of users", async ({ page, request }) => {
  await page.goto("/");
  const before = await userCount(request);
  await expect(page.getByTestId("stat-users")).toHaveText(String(before));

  await register(request, uniqueUsername("counted"));
  await page.reload();
  await expect(page.getByTestId("stat-users")).toHaveText(String(before + 1));
});

test("GET / answers the stats as JSON to clients that do not ask for HTML", async ({ request }) => {
  const res = await request.get("/", { headers: { accept: "application/json" } });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
  // One count per capability that exists (lib/site); more are added as capabilities arrive.
  expect(await res.json()).toMatchObject({ users: expect.any(Number), assets: expect.any(Number), activities: expect.any(Number) });

  const html = await request.get("/", { headers: { accept: "text/html" } });
  expect(html.headers()["content-type"]).toMatch(/^text\/html\b/);
});
