// OpenTimestamps anchoring in a real browser (product.md §7, §8): the empty list, a person anchors
// their new activity with "Anchor now", downloads its .ots, upgrades it once the stub calendar has
// a block, verifies it against the stub block source; activity, asset and home pages follow along,
// and anonymous visitors see everything but the buttons.
import { readFile } from "node:fs/promises";
import { expect, test, type APIRequestContext, type Page, type Route } from "@playwright/test";
import { bearer, login, PASSWORD, uniqueUsername } from "./support/api";
import { acceptJson, createAsset, getJson, newUser } from "./support/registry";
import { OTS_CALENDAR_A, RATE_LIMITED } from "./support/servers";

/** The first bytes of every serialized OpenTimestamps proof: the magic header, then version 1. */
const OTS_MAGIC = Buffer.from("004f70656e54696d657374616d7073000050726f6f6600bf89e2e884e8929401", "hex");

interface AnchorView {
  root: string;
  state: "pending" | "confirmed";
  activity_count: number;
  block_height: number | null;
}

interface AnchorList {
  items: AnchorView[];
  next_cursor: string | null;
  unanchored: number;
}

async function registerInBrowser(page: Page, username: string) {
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
}

/**
 * Holds the browser's next POST to `path` until the returned release() is called, so the test can
 * see the button's progress state; resolves `seen` when the request was made.
 */
async function holdPost(page: Page, path: RegExp): Promise<{ seen: Promise<void>; release: () => void }> {
  let markSeen!: () => void;
  let release!: () => void;
  const seen = new Promise<void>((r) => (markSeen = r));
  const released = new Promise<void>((r) => (release = r));
  const handler = async (route: Route) => {
    if (route.request().method() !== "POST") return route.fallback();
    markSeen();
    await released;
    await page.unroute(path, handler);
    await route.fallback();
  };
  await page.route(path, handler);
  return { seen, release };
}

/**
 * Calendar A (e2e/fixtures/ots-calendar.ts) mines every commitment it holds into a block of the
 * Esplora stub; the block's height. Calendar B stays pending, as a slower calendar would.
 */
async function mineBlock(request: APIRequestContext): Promise<number> {
  const res = await request.post(`${OTS_CALENDAR_A.url}/__mine`, { data: {} });
  expect(res.status(), await res.text()).toBe(200);
  const block = (await res.json()) as { height: number } | null;
  expect(block, "the calendar had our commitment to mine").not.toBeNull();
  return block!.height;
}

function anchorRow(page: Page, root: string) {
  return page.locator(`[data-testid="anchor-row"][data-root="${root}"]`);
}

test("with no anchor at all, /anchors/ui shows the empty state and anonymous visitors get a sign-in hint", async ({ page, request }) => {
  // The rate-limited server never anchors anything (ANCHOR_INTERVAL_MINUTES=0, no test posts
  // /anchors there), unlike MAIN, which anchors-api.spec.ts uses before this file runs.
  const res = await request.get(`${RATE_LIMITED.url}/anchors`, { headers: acceptJson });
  expect(res.status()).toBe(200);
  const list = (await res.json()) as AnchorList;
  expect(list.items).toEqual([]);
  expect(list.next_cursor).toBeNull();

  await page.goto(`${RATE_LIMITED.url}/anchors`);
  await expect(page.getByRole("heading", { name: "Anchors", level: 1 })).toBeVisible();
  await expect(page.getByTestId("empty-state")).toContainText("No anchors yet");
  await expect(page.getByTestId("anchor-row")).toHaveCount(0);
  await expect(page.getByTestId("anchors-unanchored")).toHaveText(String(list.unanchored));
  await expect(page.getByTestId("anchors-pending")).toHaveText("0");
  await expect(page.getByTestId("anchors-confirmed")).toHaveText("0");
  await expect(page.getByTestId("anchors-sign-in")).toBeVisible();
  await expect(page.getByRole("button", { name: "Anchor now" })).toHaveCount(0);
});

test("a person anchors their activity, downloads its .ots, upgrades it to a Bitcoin block and verifies it", async ({ page, browser, request }) => {
  test.setTimeout(120_000);

  await test.step("before anchoring: the list (empty when this file runs alone), and anonymous visitors get no buttons", async () => {
    const before = await getJson<AnchorList>(request, "/anchors");
    // A browser asking for /anchors is shown this page (lib/front).
    await page.goto("/anchors");
    await expect(page.getByRole("heading", { name: "Anchors", level: 1 })).toBeVisible();
    await expect(page.getByTestId("anchors-sign-in")).toBeVisible();
    await expect(page.getByRole("button", { name: "Anchor now" })).toHaveCount(0);
    await expect(page.getByTestId("anchors-unanchored")).toHaveText(String(before.unanchored));
    // Empty only when this file runs alone: anchors-api.spec.ts anchors on MAIN before it.
    if (before.items.length === 0) {
      await expect(page.getByTestId("empty-state")).toContainText("No anchors yet");
    } else {
      await expect(page.getByTestId("anchor-row").first()).toBeVisible();
    }
  });

  const username = uniqueUsername("anchorer");
  await registerInBrowser(page, username);
  const { access_token: token } = await login(request, username);
  const { asset } = await createAsset(request, { username, token });

  await test.step("the new activity's page says it is not anchored yet", async () => {
    await page.goto(`/activity/${asset.activity_index}`);
    const status = page.getByTestId("anchor-status");
    await expect(status).toHaveAttribute("data-state", "unanchored");
    await expect(status).toContainText("Not yet anchored — waiting for the next batch");
    await expect(page.getByTestId("anchor-ots")).toHaveCount(0);
    const ots = await request.get(`/activities/${asset.activity_id}/ots`, { headers: acceptJson });
    expect(ots.status()).toBe(404);
    expect(await ots.json()).toMatchObject({ error: "not_anchored", message: expect.any(String) });
  });

  let root = "";
  await test.step("Anchor now shows progress, then a pending anchor with this one activity", async () => {
    const waiting = (await getJson<AnchorList>(request, "/anchors")).unanchored;
    expect(waiting, "our activity waits for a batch").toBeGreaterThanOrEqual(1);
    await page.goto("/anchors/ui");
    await expect(page.getByTestId("anchors-unanchored")).toHaveText(String(waiting));
    await expect(page.getByTestId("anchors-sign-in")).toHaveCount(0);
    // MAIN runs with ANCHOR_INTERVAL_MINUTES=0: the page must not promise a periodic batch.
    await expect(page.getByText(/waiting, to be anchored only when someone presses Anchor now/)).toBeVisible();

    const held = await holdPost(page, /\/anchors$/);
    await page.getByRole("button", { name: "Anchor now" }).click();
    await held.seen;
    const busy = page.getByRole("button", { name: "Anchoring…" });
    await expect(busy).toBeVisible();
    await expect(busy).toBeDisabled();
    held.release();

    const result = page.getByTestId("anchor-now-result");
    await expect(result).toContainText(`Anchored ${waiting} ${waiting === 1 ? "activity" : "activities"} in batch`);
    const list = await getJson<AnchorList>(request, "/anchors");
    const anchor = list.items[0];
    expect(anchor).toMatchObject({ state: "pending", activity_count: waiting });
    root = anchor.root;
    expect(list.unanchored).toBe(0);

    const row = anchorRow(page, root);
    await expect(row).toBeVisible();
    await expect(row.getByTestId("anchor-state")).toHaveText("Pending");
    await expect(row.getByTestId("anchor-count")).toHaveText(String(waiting));
    await expect(row.getByTestId("anchor-root")).toHaveAttribute("title", root);
    await expect(row.getByTestId("anchor-calendar").first()).toBeVisible();
    await expect(page.getByTestId("anchors-unanchored")).toHaveText("0");
    await expect(page.getByTestId("anchors-pending")).not.toHaveText("0");

    // Before any block: Verify says why it cannot verify (in red), Upgrade finds nothing new.
    await row.getByRole("button", { name: "Verify" }).click();
    const verdict = row.getByTestId("anchor-verify-result");
    await expect(verdict).toContainText("Not verified: Pending");
    await expect(verdict).toHaveClass(/text-red-700/);
    await row.getByRole("button", { name: "Upgrade" }).click();
    await expect(row.getByTestId("anchor-upgrade-result")).toHaveText("Unchanged: the calendars have no Bitcoin attestation yet.");
    await expect(row.getByTestId("anchor-state")).toHaveText("Pending");

    await row.getByRole("button", { name: /Show activities/ }).click();
    const activity = row.getByTestId("anchor-activity").filter({ hasText: `Activity #${asset.activity_index}` });
    await expect(activity).toBeVisible();
    await expect(activity.getByRole("link", { name: "Download .ots" })).toHaveAttribute("href", new RegExp(`/activities/${asset.activity_id}/ots$`));
  });

  await test.step("the activity page shows the pending batch, and its .ots downloads", async () => {
    await page.goto(`/activity/${asset.activity_index}`);
    const status = page.getByTestId("anchor-status");
    await expect(status).toHaveAttribute("data-state", "pending");
    await expect(status).toContainText("Pending in batch");
    await expect(status).toContainText("calendars:");
    await expect(status.getByTestId("anchor-link")).toHaveAttribute("href", `/anchors/ui#${root}`);

    const downloading = page.waitForEvent("download");
    await status.getByTestId("anchor-ots").click();
    const download = await downloading;
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, OTS_MAGIC.length).equals(OTS_MAGIC), "the file starts with the OpenTimestamps magic header").toBe(true);

    const res = await request.get(`/activities/${asset.activity_id}/ots`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^application\/vnd\.opentimestamps\.v1\b/);
    expect((await res.body()).subarray(0, OTS_MAGIC.length).equals(OTS_MAGIC)).toBe(true);

    // The link to the batch lands on its row.
    await status.getByTestId("anchor-link").click();
    await expect(page).toHaveURL(new RegExp(`/anchors/ui#${root}$`));
    await expect(anchorRow(page, root)).toBeInViewport();
  });

  const height = await mineBlock(request);

  await test.step("Upgrade shows progress, then the anchor is confirmed at the mined block", async () => {
    await page.goto("/anchors/ui");
    const row = anchorRow(page, root);
    const held = await holdPost(page, /\/upgrade$/);
    await row.getByRole("button", { name: "Upgrade" }).click();
    await held.seen;
    await expect(row.getByRole("button", { name: "Upgrading…" })).toBeDisabled();
    held.release();
    await expect(row.getByTestId("anchor-upgrade-result")).toHaveText(`Upgraded: confirmed at block ${height}.`);
    await expect(row.getByTestId("anchor-state")).toHaveText(`Confirmed at block ${height}`);
    await expect(page.getByTestId("anchors-confirmed")).not.toHaveText("0");

    // Upgrading again changes nothing.
    await row.getByRole("button", { name: "Upgrade" }).click();
    await expect(row.getByTestId("anchor-upgrade-result")).toHaveText("Unchanged: already confirmed.");
  });

  await test.step("Verify shows progress, then the proof is verified against the block", async () => {
    const row = anchorRow(page, root);
    const held = await holdPost(page, /\/verify$/);
    await row.getByRole("button", { name: "Verify" }).click();
    await held.seen;
    await expect(row.getByRole("button", { name: "Verifying…" })).toBeDisabled();
    held.release();
    await expect(row.getByTestId("anchor-verify-result")).toContainText(`✓ Verified in Bitcoin block ${height}`);
  });

  await test.step("the asset page shows the confirmation", async () => {
    await page.goto(`/asset/${asset.name}`);
    const status = page.getByTestId("anchor-status");
    await expect(status).toHaveAttribute("data-state", "confirmed");
    await expect(status).toContainText(`Confirmed in Bitcoin block ${height}`);
    await expect(status.getByTestId("anchor-ots")).toHaveAttribute("href", new RegExp(`/activities/${asset.activity_id}/ots$`));
  });

  await test.step("anonymous visitors see the anchors but no buttons", async () => {
    const anonymous = await browser.newContext();
    const other = await anonymous.newPage();
    await other.goto("/anchors/ui");
    const row = anchorRow(other, root);
    await expect(row.getByTestId("anchor-state")).toHaveText(`Confirmed at block ${height}`);
    await expect(other.getByTestId("anchors-sign-in")).toBeVisible();
    await expect(other.getByRole("button", { name: "Anchor now" })).toHaveCount(0);
    await expect(other.getByRole("button", { name: "Upgrade" })).toHaveCount(0);
    await expect(other.getByRole("button", { name: "Verify" })).toHaveCount(0);
    await anonymous.close();
  });

  await test.step("a session that ended in another tab: the buttons show the server's refusal in red", async () => {
    await page.goto("/anchors/ui");
    const other = await page.context().newPage();
    await other.goto("/logout");
    await other.getByRole("button", { name: "Log out" }).click();
    await expect(other.getByTestId("signed-in-user")).toHaveCount(0);
    await other.close();

    const row = anchorRow(page, root);
    await row.getByRole("button", { name: "Verify" }).click();
    const refusal = row.getByTestId("anchor-verify-result");
    await expect(refusal).toContainText("Verification failed:");
    await expect(refusal).toHaveAttribute("role", "alert");
    await page.getByRole("button", { name: "Anchor now" }).click();
    await expect(page.getByTestId("anchor-now-result")).toContainText("Anchoring failed:");
    await page.reload();
    await expect(page.getByTestId("anchors-sign-in")).toBeVisible();
  });

  await test.step("the home page counts the anchors", async () => {
    const stats = await getJson<{ anchors: number }>(request, "/");
    expect(stats.anchors).toBeGreaterThanOrEqual(1);
    await page.goto("/");
    await expect(page.getByTestId("stat-anchors")).toHaveText(String(stats.anchors));
  });
});

test("the link from an activity page finds its anchor even when newer batches pushed it off the first page", async ({ page, request }) => {
  test.setTimeout(120_000);
  const user = await newUser(request, "older");
  const anchorOne = async () => {
    const { asset } = await createAsset(request, user);
    const res = await request.post("/anchors", { headers: { ...acceptJson, ...bearer(user.token) } });
    expect(res.status(), await res.text()).toBe(201);
    return { asset, anchor: ((await res.json()) as { anchor: AnchorView }).anchor };
  };
  const { asset, anchor } = await anchorOne();
  // The page lists 20 anchors; 20 newer ones push this one to the second page.
  for (let i = 0; i < 20; i++) await anchorOne();
  const first = await getJson<AnchorList>(request, "/anchors?limit=20");
  expect(first.items.map((a) => a.root)).not.toContain(anchor.root);

  await page.goto(`/activity/${asset.activity_index}`);
  await page.getByTestId("anchor-link").click();
  await expect(page).toHaveURL(new RegExp(`/anchors/ui#${anchor.root}$`));
  const linked = page.getByTestId("linked-anchor");
  const row = linked.locator(`[data-testid="anchor-row"][data-root="${anchor.root}"]`);
  await expect(row).toBeInViewport();
  await expect(row.getByTestId("anchor-state")).toHaveText("Pending");
  await expect(row.getByTestId("anchor-count")).toHaveText("1");

  // A root nobody anchored says so; a fragment that is no root is ignored.
  await page.goto(`/anchors/ui#${"0".repeat(64)}`);
  await expect(page.getByTestId("list-error")).toContainText("Could not load:");
  await expect(page.getByTestId("anchor-row").first()).toBeVisible();
  await page.goto("/anchors/ui#not-a-root");
  await expect(page.getByTestId("anchor-row").first()).toBeVisible();
  await expect(page.getByTestId("linked-anchor")).toHaveCount(0);
  await expect(page.getByTestId("list-error")).toHaveCount(0);
});
