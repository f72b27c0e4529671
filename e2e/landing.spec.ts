// The landing page and /about (issue #15 item 2): what this instance is and its handle, Register /
// Browse / Get the CLI, the counts linked to their lists, the latest works; the README moved to
// /about with this instance's URLs, its documents at /about/docs/{page}, and tables that scroll
// inside their card on a phone.
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD } from "./support/api";
import { createAsset, newUser } from "./support/registry";
import { MAIN } from "./support/servers";

const PHONE = { width: 390, height: 844 };

/** The page is no wider than the window: nothing makes a phone scroll sideways. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, `page width ${scroll} px in a ${client} px window`).toBeLessThanOrEqual(client);
}

test("anonymous: one heading, the instance's handle, Register / Browse works / Get the CLI / About, and the counts linked to their lists", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Art DAG L2 at ${new URL(MAIN.url).host}`);
  await expect(page.getByTestId("instance-handle")).toHaveText(`@giles@${new URL(MAIN.url).host}`);
  await expect(page.getByRole("button", { name: "Copy handle" })).toBeVisible();
  const start = page.getByRole("navigation", { name: "Get started" });
  for (const [name, href] of [
    ["Register", "/register"],
    ["Browse works", "/assets"],
    ["Get the CLI", "/download/client"],
    ["About", "/about"],
  ]) {
    await expect(start.getByRole("link", { name, exact: true })).toHaveAttribute("href", href);
  }
  await expect(page.getByText("localhost:8200")).toHaveCount(0);
  for (const [stat, href] of [
    ["users", "/users"],
    ["assets", "/assets"],
    ["activities", "/activities"],
    ["anchors", "/anchors/ui"],
  ]) {
    await expect(page.getByTestId(`stat-${stat}-link`)).toHaveAttribute("href", href);
  }
  await page.getByTestId("stat-assets-link").click();
  await expect(page).toHaveURL(`${MAIN.url}/assets`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Assets");
});

test("the latest works are listed, newest first, each linking to its page and its owner", async ({ page, request }) => {
  const user = await newUser(request, "landing");
  const first = (await createAsset(request, user)).asset;
  const second = (await createAsset(request, user, { asset_type: "video" })).asset;
  await page.goto("/");
  const works = page.getByTestId("recent-works").getByRole("listitem");
  await expect(works.first()).toContainText(second.name);
  await expect(works.nth(1)).toContainText(first.name);
  await expect(works.first()).toContainText(`video by ${user.username}`);
  await expect(works.first()).toContainText(second.content_hash.slice(0, 12));
  await works.first().getByRole("link", { name: second.name }).click();
  await expect(page).toHaveURL(`${MAIN.url}/asset/${second.name}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(second.name);
});

test("signed in, the first actions are registering a work and the person's own works", async ({ page, request }) => {
  const user = await newUser(request, "landing_in");
  await page.goto("/login");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(user.username);
  await page.goto("/");
  const start = page.getByRole("navigation", { name: "Get started" });
  await expect(start.getByRole("link", { name: "Register a work" })).toHaveAttribute("href", "/register-work");
  await expect(start.getByRole("link", { name: "Your works" })).toHaveAttribute("href", `/users/${user.username}`);
  await expect(start.getByRole("link", { name: "Register", exact: true })).toHaveCount(0);
});

test("on a phone the landing page fits the screen", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: MAIN.url, viewport: PHONE });
  try {
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.getByTestId("instance-handle")).toBeVisible();
    await expectNoSidewaysScroll(page);
  } finally {
    await context.close();
  }
});

test("/about is the README with this instance's URLs, and links to its documents at /about/docs", async ({ page }) => {
  await page.goto("/about");
  await expect(page).toHaveTitle("About · Art DAG L2");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Art DAG L2");
  await expect(page.locator("#quick-start")).toHaveText("Quick start");
  const article = page.locator("article");
  await expect(article).toContainText(`curl -o artdag-client.mjs ${MAIN.url}/download/client`);
  await expect(article).toContainText(`curl -s -X POST ${MAIN.url}/auth/login`);
  // Links, commands and handles name this instance; only what states npm start's default keeps localhost:8200.
  await expect(article.locator('a[href*="localhost:8200"]')).toHaveCount(0);
  for (const block of await article.locator("pre").allTextContents()) expect(block).not.toContain("localhost:8200");
  await expect(article.getByRole("link", { name: `${MAIN.url}/asset/sunset-001` })).toHaveAttribute("href", `${MAIN.url}/asset/sunset-001`);
  await expect(article).toContainText(`@<you>@${new URL(MAIN.url).host}`);
  const configuration = article.getByRole("link", { name: "docs/configuration.md" });
  await expect(configuration).toHaveAttribute("href", "/about/docs/configuration");
  await configuration.click();
  await expect(page).toHaveURL(`${MAIN.url}/about/docs/configuration`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Configuration");
  await expect(page).toHaveTitle("Configuration · Art DAG L2");
  await expect(page.locator("#response-cache")).toHaveText("Response cache");
  await expect(page.getByTestId("doc-table").first()).toBeVisible();
});

test("on a phone, a document's wide tables scroll inside their card, not the page", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: MAIN.url, viewport: PHONE });
  try {
    const page = await context.newPage();
    await page.goto("/about/docs/configuration");
    const table = page.getByTestId("doc-table").first();
    await expect(table).toBeVisible();
    const { scroll, client } = await table.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(scroll, "the table is wider than the phone").toBeGreaterThan(client);
    await expectNoSidewaysScroll(page);
  } finally {
    await context.close();
  }
});

test("/about/docs answers 404 for a document that does not exist, and never reads outside docs/", async ({ request }) => {
  for (const path of ["/about/docs/nope", "/about/docs/..%2FREADME", "/about/docs/API"]) {
    const res = await request.get(path, { headers: { accept: "text/html" } });
    expect(res.status(), path).toBe(404);
  }
});
