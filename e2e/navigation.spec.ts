// Client-side navigation (issue #15 item 1): Next's RSC and prefetch requests are page requests
// whatever their Accept, so clicking through the header loads one document, the rest are client
// navigations, and nothing errors in the console (signed out: no 401 from a prefetch).
import { expect, test, type Page } from "@playwright/test";
import { isForeignLoadFailure } from "./support/console";
import { MAIN } from "./support/servers";

/** Counts the documents the browser loads and the console errors, from now on. */
function watch(page: Page): { documents: string[]; problems: string[] } {
  const documents: string[] = [];
  const problems: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "document" && r.frame() === page.mainFrame()) documents.push(r.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error" && !isForeignLoadFailure(m.text(), m.location().url)) problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    // Our own answers only: a work's image comes from its owner's site.
    if (r.url().startsWith(MAIN.url) && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return { documents, problems };
}

test("clicking through the header is one document load; every page arrives as a client navigation, with no console error", async ({ page }) => {
  const { documents, problems } = watch(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Art DAG L2");
  const header = page.getByRole("banner");
  for (const [link, heading] of [
    ["Assets", "Assets"],
    ["Activities", "Activities"],
    ["Users", "Users"],
    ["Renderers", "Renderers"],
    ["Anchors", "Anchors"],
    ["CLI", "The Art DAG CLI client"],
    ["Home", `Art DAG L2 at ${new URL(MAIN.url).host}`],
  ]) {
    await header.getByRole("link", { name: link, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 }), link).toHaveText(heading);
  }
  expect(documents, "one document: the first page").toEqual([`${MAIN.url}/`]);
  expect(problems).toEqual([]);
});
