// A person in a real browser attaches a renderer (product.md §5): /renderers lists every L1,
// Attach lands them logged in at the fake L1 (which verified the scoped token at L2), and logging
// out at L2 logs them out there too — even though that L1 ignores the revocation calls it gets,
// because it re-verifies on every page load and L2 now refuses the token. Detach works the same way.
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, uniqueUsername } from "./support/api";
import { decodeJwt, expectFakeL1Received, fakeL1Received, LISTED_L1S, revokedTokens, revokedUsers, setIgnoreRevocations } from "./support/renderers";
import { FAKE_L1, MAIN } from "./support/servers";

async function registerThroughForm(page: Page): Promise<string> {
  const username = uniqueUsername("renderer");
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  return username;
}

function rendererRow(page: Page, l1: string) {
  return page.getByTestId("renderer-row").filter({ hasText: l1 });
}

/** Every configured L1 has one row; those in `attached` offer Detach, the others Attach. */
async function expectRows(page: Page, attached: string[]) {
  await expect(page.getByTestId("renderer-row")).toHaveCount(LISTED_L1S.length);
  for (const l1 of LISTED_L1S) {
    const row = rendererRow(page, l1);
    await expect(row, l1).toHaveCount(1);
    const [shown, hidden] = attached.includes(l1) ? ["Detach", "Attach"] : ["Attach", "Detach"];
    await expect(row.getByRole("button", { name: shown }), `${l1}: ${shown}`).toBeVisible();
    await expect(row.getByRole("button", { name: hidden }), `${l1}: no ${hidden}`).toHaveCount(0);
  }
}

/** Clicks Attach for the fake L1 and lands on its home page; returns the scoped token it was handed. */
async function attachFakeL1(page: Page, username: string): Promise<string> {
  const handedOver = page.waitForRequest((r) => r.url().startsWith(`${FAKE_L1.url}/auth?`));
  await rendererRow(page, FAKE_L1.url).getByRole("button", { name: "Attach" }).click();
  const token = new URL((await handedOver).url()).searchParams.get("auth_token");
  expect(token, "the L1 was handed a token").toBeTruthy();
  await expect(page).toHaveURL(`${FAKE_L1.url}/`);
  await expect(page.getByText(`logged in as ${username}`, { exact: true })).toBeVisible();
  expect(decodeJwt(token!).payload).toMatchObject({ username, sub: username, l1_server: FAKE_L1.url, l2_server: MAIN.url });
  return token!;
}

test.beforeEach(async ({ request }) => {
  await setIgnoreRevocations(request, false);
});

test.afterEach(async ({ request }) => {
  await setIgnoreRevocations(request, false);
});

test("a person attaches the fake L1 from /renderers, is logged in there, and logging out at L2 logs them out of an L1 that ignores the revocation", async ({
  page,
  request,
}) => {
  const username = await registerThroughForm(page);

  await test.step("/renderers lists every configured L1, none attached", async () => {
    await page.goto("/renderers");
    await expectRows(page, []);
  });

  const token = await test.step("Attach lands on the fake L1, logged in", () => attachFakeL1(page, username));

  await test.step("the L1 re-verifies on every page load and the person stays logged in", async () => {
    await page.reload();
    await expect(page.getByText(`logged in as ${username}`, { exact: true })).toBeVisible();
  });

  await test.step("back at L2 the fake L1 is attached, and the token is nowhere in the page", async () => {
    await page.goto(`${MAIN.url}/renderers`);
    await expectRows(page, [FAKE_L1.url]);
    expect(await page.content()).not.toContain(token);
  });

  await test.step("the L1 turns malicious: it will ignore revocation calls", async () => {
    await setIgnoreRevocations(request, true);
  });

  await test.step("logging out at L2 through /logout's button", async () => {
    await page.goto(`${MAIN.url}/logout`);
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(`${MAIN.url}/`);
    await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
  });

  await test.step("the fake L1 shows logged out on its next page load: L2 refuses the token now", async () => {
    await page.goto(`${FAKE_L1.url}/`);
    await expect(page.getByText("logged out", { exact: true })).toBeVisible();
    await expect(page.getByText(`logged in as ${username}`)).toHaveCount(0);
    const checks = (await fakeL1Received(request)).verify.filter((v) => v.token === token);
    expect(checks.at(-1), "the last check of the token at L2 failed").toMatchObject({ status: 401, body: { valid: false, active: false } });
  });

  await test.step("and L2 did tell the L1: /auth/revoke with the scoped token, /auth/revoke-user with the username", async () => {
    await expectFakeL1Received(request, (r) => {
      expect(revokedTokens(r)).toContain(token);
      expect(revokedUsers(r)).toContain(username);
    });
  });
});

test("Detach on /renderers revokes the renderer login: the row offers Attach again and the L1 got /auth/revoke", async ({ page, request }) => {
  const username = await registerThroughForm(page);
  await page.goto("/renderers");
  const token = await attachFakeL1(page, username);

  await page.goto(`${MAIN.url}/renderers`);
  await expectRows(page, [FAKE_L1.url]);
  await rendererRow(page, FAKE_L1.url).getByRole("button", { name: "Detach" }).click();
  await expect(page).toHaveURL(`${MAIN.url}/renderers`);
  await expectRows(page, []);
  // Still signed in at L2: detaching is not logging out.
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);

  await expectFakeL1Received(request, (r) => expect(revokedTokens(r)).toContain(token));
  await page.goto(`${FAKE_L1.url}/`);
  await expect(page.getByText("logged out", { exact: true })).toBeVisible();

  // Attach again: a new token, logged in again.
  await page.goto(`${MAIN.url}/renderers`);
  const again = await attachFakeL1(page, username);
  expect(again).not.toBe(token);
});
