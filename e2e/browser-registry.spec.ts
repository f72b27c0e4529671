// The registry in a real browser (issue: asset registry): a person registers, creates assets with
// their token, finds one by tag, sees its signature verified; a recorded run's page draws its
// provenance graph with both inputs linked; hostile text is shown as text on every page.
import { expect, test, type Page } from "@playwright/test";
import { login, PASSWORD, register, uniqueUsername } from "./support/api";
import { createAsset, postRecordRun, randomHash, scriptedL1, uniqueName } from "./support/registry";
import { SCRIPTED_L1 } from "./support/servers";

async function registerInBrowser(page: Page, username: string) {
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
}

test("a person registers, creates two assets with their token, finds one by tag and sees its signature verified", async ({ page, request }) => {
  const username = uniqueUsername("artist");
  await registerInBrowser(page, username);
  const { access_token: token } = await login(request, username);
  const user = { username, token };

  const tag = `sunset${Date.now().toString(36)}`;
  const wanted = await createAsset(request, user, { name: uniqueName("dusk"), asset_type: "video", tags: [tag, "sky"] });
  const other = await createAsset(request, user, { name: uniqueName("dawn"), asset_type: "image", tags: ["morning"] });

  await page.goto("/assets");
  await page.getByRole("searchbox", { name: "Tag" }).fill(tag);
  await expect(page).toHaveURL(new RegExp(`[?&]tag=${tag}`));
  const rows = page.getByTestId("asset-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(wanted.asset.name);
  await expect(page.getByText(other.asset.name)).toHaveCount(0);

  // The filtered view is shareable: a fresh page on the same URL shows the same result.
  const shared = await page.context().newPage();
  await shared.goto(page.url());
  await expect(shared.getByTestId("asset-row")).toHaveCount(1);
  await shared.close();

  await rows.first().getByRole("link", { name: wanted.asset.name }).click();
  await expect(page).toHaveURL(`/asset/${wanted.asset.name}`);
  await expect(page.getByTestId("signature-status")).toHaveText("signature verified");
  await expect(page.getByTestId("asset-hash")).toContainText(wanted.asset.content_hash);
  await expect(page.getByRole("heading", { name: wanted.asset.name })).toBeVisible();
});

test("a recorded run's page shows its provenance graph with both inputs linked", async ({ page, request }) => {
  const username = uniqueUsername("render");
  await registerInBrowser(page, username);
  const { access_token: token } = await login(request, username);
  const inputs = [randomHash(), randomHash()];
  const runId = `browser-${Date.now()}`;
  const l1 = await scriptedL1({
    [runId]: {
      run_id: runId,
      status: "completed",
      recipe: "recipe:dissolve",
      inputs: [
        { content_hash: inputs[0], name: "a.png" },
        { content_hash: inputs[1], name: "b.png" },
      ],
      output: { content_hash: randomHash() },
      effects_commit: "abc1234",
      completed_at: "2026-11-01T10:00:00Z",
    },
  });
  try {
    const outputName = uniqueName("rendered");
    const res = await postRecordRun(request, token, { run_id: runId, l1_server: SCRIPTED_L1.url, output_name: outputName });
    expect(res.status(), await res.text()).toBe(201);

    await page.goto(`/asset/${outputName}`);
    const graph = page.getByTestId("provenance-graph");
    await expect(graph).toBeVisible();
    await expect(graph).toContainText("recipe:dissolve");
    const links = graph.getByTestId("provenance-input");
    await expect(links).toHaveCount(2);
    for (const [i, hash] of inputs.entries()) {
      await expect(links.nth(i)).toHaveAttribute("href", `/asset/input-${hash.slice(0, 16)}`);
    }
    await expect(page.getByTestId("signature-status")).toHaveText("signature verified");

    await links.first().click();
    await expect(page).toHaveURL(`/asset/input-${inputs[0].slice(0, 16)}`);
    await expect(page.getByTestId("signature-status")).toHaveText("signature verified");
  } finally {
    await l1.close();
  }
});

test("hostile tags, metadata and names are shown as text on every page, never run", async ({ page, request }) => {
  const username = uniqueUsername("hostile");
  const { access_token: token } = await register(request, username);
  const script = "<script>window.__pwned = 1</script>";
  const img = '<img src=x onerror="window.__pwned = 2">';
  const { asset } = await createAsset(
    request,
    { username, token },
    {
      name: uniqueName("xss"),
      tags: [script, img],
      metadata: { [img]: script, note: img },
    },
  );
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // Each page, and whether it shows the hostile text itself (the activity list shows names only).
  const pages: [string, boolean][] = [
    [`/assets?tag=${encodeURIComponent(script)}`, true],
    [`/asset/${asset.name}`, true],
    ["/activities", false],
    [`/activity/${asset.activity_index}`, true],
    [`/users/${username}`, true],
  ];
  for (const [url, showsText] of pages) {
    await page.goto(url);
    if (showsText) await expect(page.getByText(script).first()).toBeVisible();
    else await expect(page.getByText(asset.name).first()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("img[src=x]").count()).toBe(0);
  }
  expect(dialogs).toEqual([]);
});
