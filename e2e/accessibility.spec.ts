// Accessible (issue #15 item 6): axe-core on every page, signed in and not, at desktop and phone
// sizes, finds no serious or critical violation (colour contrast included); each page starts with a
// skip link to its main content. The results per page are attached to the test report.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { login } from "./support/api";
import { registerInBrowser, type BrowserUser } from "./support/renderers";
import { createAsset, type User } from "./support/registry";
import { MAIN } from "./support/servers";

let person: BrowserUser;
let asset: string;
let activityId: string;

test.beforeAll(async ({ browser, playwright }) => {
  person = await registerInBrowser(browser, "a11y");
  const request = await playwright.request.newContext({ baseURL: MAIN.url });
  const user: User = { username: person.username, token: (await login(request, person.username)).access_token };
  const created = await createAsset(request, user, { tags: ["a11y"], metadata: { medium: "test" } });
  asset = created.asset.name;
  activityId = String(created.activity.id).split("/").pop()!;
  await request.dispose();
});

test.afterAll(async () => {
  await person?.context.close();
});

function pages(signedIn: boolean): string[] {
  return [
    "/",
    "/assets",
    `/asset/${asset}`,
    "/activities",
    `/activity/${activityId}`,
    "/users",
    `/users/${person.username}`,
    "/renderers",
    "/download/client",
    "/anchors/ui",
    "/about",
    "/about/docs/configuration",
    "/no-such-page",
    ...(signedIn ? ["/settings/clients", "/register-work"] : ["/register", "/login"]),
  ];
}

async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary?.split("\n").slice(1).join(" ").trim()})`).join("; ")}`,
    );
}

for (const signedIn of [false, true]) {
  for (const size of [
    { name: "desktop", width: 1280, height: 900 },
    { name: "phone", width: 390, height: 844 },
  ]) {
    test(`${signedIn ? "signed in" : "anonymous"}, ${size.name}: no serious or critical axe violation on any page`, async ({ browser }) => {
      test.setTimeout(180_000);
      const context = signedIn
        ? await browser.newContext({ baseURL: MAIN.url, viewport: size, storageState: await person.context.storageState() })
        : await browser.newContext({ baseURL: MAIN.url, viewport: size });
      const page = await context.newPage();
      const report: Record<string, string[]> = {};
      try {
        for (const path of pages(signedIn)) {
          await page.goto(path);
          await page.waitForLoadState("networkidle").catch(() => {});
          report[path] = await violations(page);
        }
      } finally {
        await test.info().attach("axe", { body: JSON.stringify(report, null, 2), contentType: "application/json" });
        await context.close();
      }
      expect(Object.fromEntries(Object.entries(report).filter(([, v]) => v.length > 0))).toEqual({});
    });
  }
}

test("every page starts with a skip link that moves focus to the main content", async ({ page }) => {
  for (const path of ["/", "/assets", `/asset/${asset}`, "/about"]) {
    await page.goto(path);
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip, path).toBeFocused();
    await expect(skip).toBeVisible();
    await page.keyboard.press("Enter");
    await expect(page.locator("main#content")).toBeFocused();
  }
});
