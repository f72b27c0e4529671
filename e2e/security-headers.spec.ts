// Pages cannot be framed or sniffed (issue #12 item 8): every page carries Content-Security-Policy
// with frame-ancestors 'none' and a script/style policy, X-Content-Type-Options: nosniff and
// Referrer-Policy: same-origin; a real browser visiting each page (signed in and not) logs no CSP
// violation and no console error, and its scripts run; another site's page cannot frame them;
// JSON, files and errors are nosniff too.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { login } from "./support/api";
import { freshDidKey } from "./support/cli";
import { registerInBrowser, type BrowserUser } from "./support/renderers";
import { createAsset, type User } from "./support/registry";
import { isForeignLoadFailure } from "./support/console";
import { MAIN } from "./support/servers";

let person: BrowserUser;
let asset: string;
let activityId: string;

test.beforeAll(async ({ browser, playwright }) => {
  person = await registerInBrowser(browser, "csp");
  const request = await playwright.request.newContext({ baseURL: MAIN.url });
  const user: User = { username: person.username, token: (await login(request, person.username)).access_token };
  const created = await createAsset(request, user);
  asset = created.asset.name;
  activityId = String(created.activity.id).split("/").pop()!;
  await request.dispose();
});

test.afterAll(async () => {
  await person?.context.close();
});

/** Every page of the site, as a person reaches it. */
function pages(): string[] {
  return [
    "/",
    "/assets",
    `/asset/${asset}`,
    "/activities",
    `/activity/${activityId}`,
    "/users",
    `/users/${person.username}`,
    "/renderers",
    "/register",
    "/login",
    "/settings/clients",
    `/registerPublicKey?key=${freshDidKey()}`,
    "/download/client",
    "/anchors/ui",
    "/register-work",
    "/about",
    "/about/docs/api",
    "/logout",
  ];
}

function expectPageHeaders(res: APIResponse | { headers(): Record<string, string> }, what: string): void {
  const h = res.headers();
  const csp = h["content-security-policy"] ?? "";
  expect(csp, `${what}: Content-Security-Policy`).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
  // Scripts need this answer's own nonce: no inline script runs without it.
  expect(csp, `${what}: a script policy with a nonce`).toMatch(/(^|;)\s*script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'\s*(;|$)/);
  expect(csp, `${what}: a style policy`).toMatch(/(^|;)\s*style-src 'self'/);
  expect(csp, `${what}: no eval`).not.toContain("'unsafe-eval'");
  expect(h["x-content-type-options"], `${what}: nosniff`).toBe("nosniff");
  expect(h["referrer-policy"], `${what}: Referrer-Policy`).toBe("same-origin");
}

test("every page answers with the security headers, signed in or not", async ({ request }) => {
  for (const path of pages()) {
    for (const cookie of [person.cookie, ""]) {
      const res = await request.get(path, { headers: { accept: "text/html", ...(cookie ? { cookie } : {}) }, maxRedirects: 0 });
      const what = `${path} (${cookie ? "signed in" : "anonymous"}) ${res.status()}`;
      expect([200, 307, 308], what).toContain(res.status());
      if (res.status() === 200) expect(res.headers()["content-type"], what).toMatch(/^text\/html/);
      expectPageHeaders(res, what);
    }
  }
});

test("JSON, files, redirects and errors are nosniff too", async ({ request }) => {
  const answers: [string, Promise<APIResponse>][] = [
    ["GET /api/stats", request.get("/api/stats")],
    ["GET /assets as JSON", request.get("/assets", { headers: { accept: "application/json" } })],
    ["GET /users/x as ActivityPub", request.get(`/users/${person.username}`, { headers: { accept: "application/activity+json" } })],
    ["GET /.well-known/webfinger", request.get(`/.well-known/webfinger?resource=acct:${person.username}@localhost:${MAIN.port}`)],
    ["GET /auth/me without credentials (401)", request.get("/auth/me")],
    ["POST /anchors without credentials (401)", request.post("/anchors")],
    ["GET /download/client as a file", request.get("/download/client")],
    ["GET an unknown path (404)", request.get("/no/such/page", { headers: { accept: "text/html" } })],
    ["GET /api/auth/csrf", request.get("/api/auth/csrf")],
  ];
  for (const [what, pending] of answers) {
    const res = await pending;
    expect(res.headers()["x-content-type-options"], `${what} ${res.status()}`).toBe("nosniff");
    expect(res.headers()["content-security-policy"], what).toContain("frame-ancestors 'none'");
  }
  // And a static file of the app itself.
  const html = await (await request.get("/login", { headers: { accept: "text/html" } })).text();
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script, "the login page loads a script of its own").toBeTruthy();
  const file = await request.get(script!);
  expect(file.status()).toBe(200);
  expect(file.headers()["x-content-type-options"]).toBe("nosniff");
});

/** Console errors and CSP violations of a page, from its first script on. */
async function watch(page: Page): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  page.on("console", (m) => {
    // A work shown from its owner's URL may fail to load (another site, down or unknown here): the
    // browser reports that, and it is no fault of the page. Anything from this origin counts.
    if (isForeignLoadFailure(m.text(), m.location().url)) return;
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return { problems };
}

for (const signedIn of [true, false]) {
  test(`a browser ${signedIn ? "signed in" : "not signed in"} visits every page: no CSP violation, no console error, and the scripts run`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const context = signedIn ? person.context : await browser.newContext();
    const page = await context.newPage();
    const { problems } = await watch(page);
    try {
      for (const path of pages()) {
        const before = problems.length;
        const res = await page.goto(path, { waitUntil: "load" });
        expect(res, path).not.toBeNull();
        expectPageHeaders(res!, path);
        // Hydrated: React attached its root, which only Next's (inline and file) scripts do.
        await expect
          .poll(
            () =>
              page.evaluate(
                () =>
                  Object.keys(document.body).some((k) => k.startsWith("__react")) || Object.keys(document.documentElement).some((k) => k.startsWith("__react")),
              ),
            {
              message: `${path}: React hydrated`,
            },
          )
          .toBe(true);
        // Let the page's own first requests (queries, prefetches) settle: some pages poll, so
        // "network idle" never comes; an idle callback after hydration does.
        await page.evaluate(() => new Promise((resolve) => requestIdleCallback(() => resolve(null), { timeout: 5_000 })));
        expect(problems.slice(before), path).toEqual([]);
      }
    } finally {
      await page.close();
      if (!signedIn) await context.close();
    }
  });
}

test("another site cannot frame /registerPublicKey or /renderers", async () => {
  const targets = [`${MAIN.url}/registerPublicKey?key=${freshDidKey()}`, `${MAIN.url}/renderers`, `${MAIN.url}/`];
  // A hostile page on another origin (a sibling renderer would be same-site, not same-origin).
  const framer = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(targets.map((t, i) => `<iframe id="f${i}" src="${t}" width="400" height="300"></iframe>`).join(""));
  });
  await new Promise<void>((resolve) => framer.listen(8341, "127.0.0.1", resolve));
  const page = await person.context.newPage();
  const refused: string[] = [];
  page.on("console", (m) => {
    if (/frame-ancestors/.test(m.text())) refused.push(m.text());
  });
  try {
    await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
    await expect.poll(() => refused.length, { message: "Chromium reports each refused frame" }).toBe(targets.length);
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    expect(frames).toHaveLength(targets.length);
    for (const frame of frames) {
      // The frame never shows our page: Chromium puts its error page there instead.
      expect(frame.url()).toMatch(/^chrome-error:/);
      expect(await frame.getByTestId("signed-in-user").count(), frame.url()).toBe(0);
    }
  } finally {
    await page.close();
    await new Promise<void>((resolve) => framer.close(() => resolve()));
  }
});
