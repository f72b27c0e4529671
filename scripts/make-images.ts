// `npm run make-images`: draws the site's raster images in public/ from public/icon.svg with a
// headless Chromium (Debian's, or Playwright's own): the Open Graph image shown when a link to the
// instance is shared (og-image.png, 1200×630), the home-screen icon (apple-touch-icon.png, 180×180)
// and favicon.ico (16 and 32 px PNGs in an ICO, for clients that ask for /favicon.ico whatever the
// page says). The files are committed; run this again only when the icon or the wording changes.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";

const root = path.resolve(import.meta.dirname, "..");
const publicDir = path.join(root, "public");
const icon = readFileSync(path.join(publicDir, "icon.svg"), "utf8");
const font = readFileSync(path.join(root, "node_modules", "@fontsource-variable", "inter", "files", "inter-latin-wght-normal.woff2")).toString("base64");

const OG_PAGE = `<!doctype html><html><head><style>
@font-face { font-family: Inter; src: url(data:font/woff2;base64,${font}) format("woff2"); font-weight: 100 900; }
html, body { margin: 0; width: 1200px; height: 630px; }
body { font-family: Inter, sans-serif; color: #fff; display: flex; flex-direction: column; justify-content: center; gap: 28px;
  padding: 0 96px; box-sizing: border-box; background: linear-gradient(135deg, #2e1a8f 0%, #5b3df5 45%, #d946ef 100%); }
.mark { display: flex; align-items: center; gap: 28px; }
.mark svg { width: 120px; height: 120px; filter: drop-shadow(0 8px 24px rgba(0,0,0,.25)); }
h1 { font-size: 96px; font-weight: 750; letter-spacing: -0.03em; margin: 0; }
p { font-size: 38px; line-height: 1.3; margin: 0; max-width: 960px; color: rgba(255,255,255,.92); }
</style></head><body>
<div class="mark">${icon}<h1>Art DAG L2</h1></div>
<p>The ownership registry for generative art: signed claims the fediverse can follow and verify, anchored in Bitcoin.</p>
</body></html>`;

const iconPage = (size: number) =>
  `<!doctype html><html><head><style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style></head><body>${icon}</body></html>`;

async function shoot(page: Page, html: string, width: number, height: number, transparent: boolean): Promise<Buffer> {
  // Chromium will not make a window narrower than a few dozen pixels: small images are clipped from a larger one.
  await page.setViewportSize({ width: Math.max(width, 200), height: Math.max(height, 200) });
  await page.setContent(html);
  await page.evaluate(() => document.fonts.ready);
  return page.screenshot({ type: "png", omitBackground: transparent, clip: { x: 0, y: 0, width, height } });
}

/** An ICO file holding PNG images (allowed since Windows Vista; every browser reads it). */
function icoOf(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

const browser = await chromium.launch({ executablePath: existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined });
try {
  const page = await browser.newPage();
  writeFileSync(path.join(publicDir, "og-image.png"), await shoot(page, OG_PAGE, 1200, 630, false));
  writeFileSync(path.join(publicDir, "apple-touch-icon.png"), await shoot(page, iconPage(180), 180, 180, false));
  const small = await Promise.all([16, 32].map(async (size) => ({ size, png: await shoot(page, iconPage(size), size, size, true) })));
  writeFileSync(path.join(publicDir, "favicon.ico"), icoOf(small));
  console.log(`make-images: wrote og-image.png, apple-touch-icon.png and favicon.ico in ${path.relative(root, publicDir)}/`);
} finally {
  await browser.close();
}
