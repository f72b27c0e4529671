// The static files in public/ (issue #15 item 8): robots.txt, the icons and the Open Graph image,
// served as files with their types, and named by every page's head with this instance's public URL,
// so a link shared on the fediverse or a chat shows the card.
import { expect, test } from "@playwright/test";
import { MAIN } from "./support/servers";

/** Width and height from a PNG's IHDR chunk (it always comes first, after the 8-byte signature). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString("hex"), "a PNG signature").toBe("89504e470d0a1a0a");
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test("robots.txt keeps crawlers out of sign-in, settings and the API, and lets them read the rest", async ({ request }) => {
  const res = await request.get("/robots.txt", { headers: { accept: "*/*" } });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^text\/plain/);
  const lines = (await res.text()).split("\n");
  expect(lines).toContain("User-agent: *");
  for (const path of ["/api/", "/auth/", "/settings/", "/login", "/registerPublicKey"]) expect(lines).toContain(`Disallow: ${path}`);
  expect(
    lines.filter((l) => /^Disallow: \/(assets|users|activities|objects)?$/.test(l)),
    "works, people and activities stay crawlable",
  ).toEqual([]);
});

test("the icons and the Open Graph image are served with their types and sizes", async ({ request }) => {
  const og = await request.get("/og-image.png");
  expect(og.status()).toBe(200);
  expect(og.headers()["content-type"]).toBe("image/png");
  expect(pngSize(await og.body())).toEqual({ width: 1200, height: 630 });

  const touch = await request.get("/apple-touch-icon.png");
  expect(touch.headers()["content-type"]).toBe("image/png");
  expect(pngSize(await touch.body())).toEqual({ width: 180, height: 180 });

  const svg = await request.get("/icon.svg");
  expect(svg.status()).toBe(200);
  expect(svg.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
  expect(await svg.text()).toMatch(/^<svg /);

  // favicon.ico: an ICO directory of two PNG images, 16 and 32 px.
  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)$/);
  const bytes = await ico.body();
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt16LE(4)]).toEqual([0, 1, 2]);
  const sizes = [0, 1].map((i) => {
    const entry = 6 + 16 * i;
    const png = bytes.subarray(bytes.readUInt32LE(entry + 12), bytes.readUInt32LE(entry + 12) + bytes.readUInt32LE(entry + 8));
    return [bytes.readUInt8(entry), pngSize(png).width];
  });
  expect(sizes).toEqual([
    [16, 16],
    [32, 32],
  ]);
});

test("every page's head names the icons and the Open Graph card with absolute URLs of this instance", async ({ page, request }) => {
  for (const path of ["/", "/assets"]) {
    await page.goto(path);
    const meta = (property: string) => page.locator(`meta[property="${property}"], meta[name="${property}"]`).first().getAttribute("content");
    expect(await meta("og:image"), path).toBe(`${MAIN.url}/og-image.png`);
    expect(await meta("og:image:width")).toBe("1200");
    expect(await meta("og:image:height")).toBe("630");
    expect(await meta("og:site_name")).toBe(`Art DAG L2 · ${new URL(MAIN.url).host}`);
    expect(await meta("twitter:card")).toBe("summary_large_image");
    await expect(page.locator('link[rel="icon"][type="image/svg+xml"]')).toHaveAttribute("href", "/icon.svg");
    await expect(page.locator('link[rel="icon"][href="/favicon.ico"]')).toHaveCount(1);
    await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", "/apple-touch-icon.png");
  }
  expect((await request.get(`${MAIN.url}/og-image.png`)).status(), "the card's image is there").toBe(200);
});
