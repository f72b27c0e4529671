// Seeing the work (issue #15 item 4): an asset registered with a URL is shown with the element for
// its type on its page (lazily, sized) and as a thumbnail in the lists; without a URL, or when the
// URL does not load, a placeholder with its type and hash. The image comes from a real server on
// loopback, so the page's Content-Security-Policy is what lets it in.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { createAsset, newUser, type User } from "./support/registry";

let media: Server;
let mediaUrl = "";
const PNG = readFileSync("public/apple-touch-icon.png");

test.beforeAll(async () => {
  media = createServer((req, res) => {
    if (req.url === "/work.png") return void res.writeHead(200, { "content-type": "image/png", "content-length": PNG.length }).end(PNG);
    res.writeHead(404, { "content-type": "text/plain" }).end("not here");
  });
  await new Promise<void>((resolve) => media.listen(0, "127.0.0.1", resolve));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
});
test.afterAll(() => new Promise<void>((resolve) => media.close(() => resolve())));

let user: User;
test.beforeEach(async ({ request }) => {
  user = await newUser(request, "preview");
});

test("an image work is shown on its page, lazily and sized, and as a thumbnail in the lists", async ({ page, request }) => {
  const { asset } = await createAsset(request, user, { asset_type: "image", url: `${mediaUrl}/work.png` });
  await page.goto(`/asset/${asset.name}`);
  const image = page.getByTestId("work-preview").getByRole("img", { name: `${asset.name} by ${user.username}` });
  await expect(image).toHaveAttribute("src", `${mediaUrl}/work.png`);
  await expect(image).toHaveAttribute("loading", "lazy");
  await expect(image).toHaveAttribute("width", /\d+/);
  await expect(image).toHaveAttribute("height", /\d+/);
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth), { message: "the image loaded (the CSP let it in)" }).toBe(180);

  await page.goto(`/assets?owner=${user.username}`);
  const thumb = page
    .getByTestId("asset-row")
    .filter({ hasText: asset.name })
    .getByRole("img", { name: `${asset.name} by ${user.username}` });
  await expect(thumb).toHaveAttribute("src", `${mediaUrl}/work.png`);
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(180);
  expect(await thumb.evaluate((img) => img.getBoundingClientRect().width)).toBe(64);
});

test("video and audio works get a player; a work without a URL, or whose URL fails, a placeholder with its hash", async ({ page, request }) => {
  const video = (await createAsset(request, user, { asset_type: "video", url: `${mediaUrl}/clip.webm` })).asset;
  await page.goto(`/asset/${video.name}`);
  // The clip is not there (404): the player gives way to the placeholder.
  await expect(page.getByTestId("work-placeholder")).toBeVisible();

  const audio = (await createAsset(request, user, { asset_type: "audio", url: "https://example.invalid/song.mp3" })).asset;
  await page.goto(`/asset/${audio.name}`);
  const player = page.locator("audio");
  await expect(player).toHaveAttribute("src", "https://example.invalid/song.mp3");
  await expect(player).toHaveAttribute("controls", "");
  await expect(player).toHaveAttribute("preload", "none");

  const bare = (await createAsset(request, user, { asset_type: "recipe" })).asset;
  await page.goto(`/asset/${bare.name}`);
  const placeholder = page.getByTestId("work-placeholder");
  await expect(placeholder).toContainText("recipe");
  await expect(placeholder).toContainText(`${bare.content_hash.slice(0, 16)}…`);
  await expect(placeholder).toHaveAttribute("aria-label", `${bare.name}: no preview (recipe, SHA3-256 ${bare.content_hash.slice(0, 12)}…)`);

  const broken = (await createAsset(request, user, { asset_type: "image", url: `${mediaUrl}/missing.png` })).asset;
  await page.goto(`/asset/${broken.name}`);
  await expect(page.getByTestId("work-placeholder")).toContainText("image");
});
