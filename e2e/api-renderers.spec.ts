// Renderers over HTTP (product.md §5, protocols.md §4): GET /renderers, attach (a 303 to the L1
// with a token scoped to it, never to anywhere else), detach, and /auth/verify as an L1 calls it —
// the real scoped token is accepted, every hostile variant is the same 401 — then CSRF on the
// cookie-authenticated writes, one user against another, and logout with an L1 that is down or
// hangs. The L1s: FAKE_L1 (the standalone fake, verifying at MAIN), DOWN_L1 (listed, nothing
// listening) and SCRIPTED_L1 (listed, run in-process by the test that needs it).
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { startFakeL1 } from "./fixtures/fake-l1";
import { bearer, expectError, login, me, register, tamperedToken, uniqueUsername, unsignedToken, type TokenGrant } from "./support/api";
import {
  attachWithBearer,
  decodeJwt,
  expectFakeL1Received,
  expectRefused,
  expectVerified,
  fakeL1HomeText,
  fakeL1Received,
  getRenderers,
  ISO_DATE,
  LISTED_L1S,
  postAttach,
  postDetach,
  postVerify,
  registerInBrowser,
  rendererState,
  revokedTokens,
  revokedUsers,
  sameOrigin,
  scopedTokenOf,
  setIgnoreRevocations,
  sha256Hex,
  signClaims,
  verify,
  type BrowserUser,
  type ScopedClaims,
} from "./support/renderers";
import { DOWN_L1, FAKE_L1, MAIN, MAIN_JWT_SECRET, SCRIPTED_L1 } from "./support/servers";

const WRONG_SECRET = "not-the-server-secret-0123456789abcdef0123456789";
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers a fresh user and returns the grant (Bearer login token). */
async function newUser(request: APIRequestContext, prefix: string): Promise<TokenGrant> {
  return register(request, uniqueUsername(prefix));
}

function sortedByL1<T extends { l1_server: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.l1_server.localeCompare(b.l1_server));
}

function notAttached(l1s: string[]) {
  return sortedByL1(l1s.map((l1_server) => ({ l1_server, attached: false, attached_at: null })));
}

test.beforeEach(async ({ request }) => {
  await setIgnoreRevocations(request, false);
});

test.afterAll(async ({ playwright }) => {
  const request = await playwright.request.newContext();
  await setIgnoreRevocations(request, false);
  await request.dispose();
});

test.describe("GET /renderers", () => {
  test("lists every L1 of L1_SERVERS for the caller with exactly {l1_server, attached, attached_at}, and shows an attachment", async ({ request }) => {
    const user = await newUser(request, "list");
    const auth = bearer(user.access_token);
    const before = await getRenderers(request, auth);
    expect(sortedByL1(before)).toEqual(notAttached(LISTED_L1S));

    const startedAt = Date.now();
    await attachWithBearer(request, user.access_token, FAKE_L1.url);
    const after = await getRenderers(request, auth);
    for (const entry of after) expect(Object.keys(entry).sort()).toEqual(["attached", "attached_at", "l1_server"]);
    expect(sortedByL1(after)).toEqual(
      sortedByL1([
        { l1_server: FAKE_L1.url, attached: true, attached_at: expect.stringMatching(ISO_DATE) },
        { l1_server: DOWN_L1.url, attached: false, attached_at: null },
        { l1_server: SCRIPTED_L1.url, attached: false, attached_at: null },
      ]),
    );
    const at = Date.parse(after.find((r) => r.l1_server === FAKE_L1.url)!.attached_at!);
    expect(at).toBeGreaterThanOrEqual(startedAt - 5_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  test("anonymous → 401 JSON; a scoped (renderer) token is no login token at L2 either → 401", async ({ request }) => {
    await expectError(await request.get("/renderers", { headers: { accept: "application/json" } }), 401, "unauthorized");
    const user = await newUser(request, "anon");
    const scoped = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    // An L1 holding the token cannot act as the user at L2.
    await expectError(await request.get("/renderers", { headers: { accept: "application/json", ...bearer(scoped) } }), 401, "unauthorized");
    await expectError(await me(request, scoped), 401, "unauthorized");
    const chained = await postAttach(request, { json: { l1_server: SCRIPTED_L1.url } }, bearer(scoped));
    await expectError(chained, 401, "unauthorized");
    expect(chained.headers()["location"]).toBeUndefined();
  });

  test("the session cookie works for GET (no Origin needed) and shows that person's attachments only", async ({ request, browser }) => {
    const person = await registerInBrowser(browser, "cookieget");
    try {
      expect(sortedByL1(await getRenderers(request, { cookie: person.cookie }))).toEqual(notAttached(LISTED_L1S));
      await scopedTokenOf(await postAttach(request, { json: { l1_server: DOWN_L1.url } }, sameOrigin(person)), DOWN_L1.url);
      expect((await rendererState(request, { cookie: person.cookie }, DOWN_L1.url)).attached).toBe(true);
    } finally {
      await person.context.close();
    }
  });
});

test.describe("the /renderers page", () => {
  test("one row per L1 with its URL and an Attach or Detach form, and no token in the HTML", async ({ request, browser }) => {
    const person = await registerInBrowser(browser, "page");
    try {
      const { page } = person;
      await page.goto("/renderers");
      const rows = page.getByTestId("renderer-row");
      await expect(rows).toHaveCount(LISTED_L1S.length);
      for (const l1 of LISTED_L1S) {
        const row = rows.filter({ hasText: l1 });
        await expect(row).toHaveCount(1);
        await expect(row.getByRole("button", { name: "Attach" })).toBeVisible();
        await expect(row.getByRole("button", { name: "Detach" })).toHaveCount(0);
        // A plain HTML form: it works without JavaScript.
        const form = row.locator("form");
        await expect(form).toHaveAttribute("method", /^post$/i);
        await expect(form).toHaveAttribute("action", /^(http:\/\/localhost:8311)?\/renderers\/attach$/);
        await expect(form.locator('input[name="l1_server"]')).toHaveValue(l1);
      }

      // Attach as the page would (same origin, form-encoded), without following the redirect.
      const scoped = await scopedTokenOf(await postAttach(request, { form: { l1_server: DOWN_L1.url } }, sameOrigin(person)), DOWN_L1.url);
      await page.goto("/renderers");
      const down = rows.filter({ hasText: DOWN_L1.url });
      await expect(down.getByRole("button", { name: "Detach" })).toBeVisible();
      await expect(down.locator("form")).toHaveAttribute("action", /^(http:\/\/localhost:8311)?\/renderers\/detach$/);
      await expect(rows.filter({ hasText: FAKE_L1.url }).getByRole("button", { name: "Attach" })).toBeVisible();

      const html = await page.content();
      expect(html).not.toContain(scoped);
      expect(html).not.toContain(scoped.split(".")[2]);
      const served = await request.get("/renderers", { headers: { accept: "text/html", cookie: person.cookie } });
      expect(served.status()).toBe(200);
      expect(served.headers()["content-type"]).toMatch(/^text\/html\b/);
      const text = await served.text();
      expect(text).toContain(DOWN_L1.url);
      expect(text).not.toContain(scoped);
      expect(text).not.toContain(scoped.split(".")[2]);
    } finally {
      await person.context.close();
    }
  });

  test("with a Bearer token and Accept text/html, neither the login token nor a scoped token is in the page", async ({ request }) => {
    const user = await newUser(request, "pagebearer");
    const scoped = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    const res = await request.get("/renderers", { headers: { accept: "text/html", ...bearer(user.access_token) } });
    const html = await res.text();
    expect(res.headers()["content-type"]).toMatch(/^text\/html\b/);
    for (const secret of [scoped, user.access_token, scoped.split(".")[2], user.access_token.split(".")[2]]) expect(html).not.toContain(secret);
  });
});

test.describe("POST /renderers/attach", () => {
  test("Bearer → 303 to {l1}/auth?auth_token=… with an HS256 token scoped to that L1 and issued from the caller's login token", async ({ request }) => {
    const user = await newUser(request, "claims");
    const res = await postAttach(request, { json: { l1_server: FAKE_L1.url } }, bearer(user.access_token));
    const scoped = await scopedTokenOf(res, FAKE_L1.url);
    const { header, payload } = decodeJwt(scoped);
    expect(header.alg).toBe("HS256");
    const login = decodeJwt(user.access_token).payload;
    expect(Object.keys(payload).sort()).toEqual(["exp", "iat", "jti", "l1_server", "l2_server", "sid", "sub", "username"]);
    expect(payload).toEqual({
      sub: user.username,
      username: user.username,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      l2_server: MAIN.url,
      l1_server: FAKE_L1.url,
      sid: sha256Hex(user.access_token),
    });
    expect(Math.abs(payload.iat - now())).toBeLessThanOrEqual(30);
    expect(payload.exp).toBeGreaterThan(now());
    expect(payload.jti).not.toBe("");
    expect(payload.jti).not.toBe(login.jti);
    // And L2 accepts it from that L1.
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
  });

  test("form-encoded and JSON bodies both work with a session cookie from the same origin", async ({ request, browser }) => {
    const person = await registerInBrowser(browser, "cookieattach");
    try {
      const viaForm = await scopedTokenOf(await postAttach(request, { form: { l1_server: FAKE_L1.url } }, sameOrigin(person)), FAKE_L1.url);
      expect(decodeJwt(viaForm).payload).toMatchObject({ username: person.username, l1_server: FAKE_L1.url, l2_server: MAIN.url });
      await expectVerified(await verify(request, viaForm, FAKE_L1.url), viaForm);
      const viaJson = await scopedTokenOf(await postAttach(request, { json: { l1_server: DOWN_L1.url } }, sameOrigin(person)), DOWN_L1.url);
      await expectVerified(await verify(request, viaJson, DOWN_L1.url), viaJson);
      const list = await getRenderers(request, { cookie: person.cookie });
      expect(
        list
          .filter((r) => r.attached)
          .map((r) => r.l1_server)
          .sort(),
      ).toEqual([DOWN_L1.url, FAKE_L1.url].sort());
    } finally {
      await person.context.close();
    }
  });

  test("an L1 that is not listed → 400 l1_not_allowed and no Location (no open redirect), whatever it looks like", async ({ request }) => {
    const user = await newUser(request, "unlisted");
    const variants = [
      "http://evil.example",
      "http://127.0.0.1:8319.evil.com",
      "http://127.0.0.1:8319@evil.com",
      "//evil.com",
      "javascript:alert(1)",
      "http://127.0.0.1:8320",
      "https://127.0.0.1:8319",
      "http://localhost:8319",
      "http://user:pw@127.0.0.1:8319",
      "http://127.0.0.1:8319/evil",
      "http://127.0.0.1:8319?x=1",
      "http://127.0.0.1:8319#x",
      "127.0.0.1:8319",
      "/auth",
      `${FAKE_L1.url},${DOWN_L1.url}`,
    ];
    for (const l1 of variants) {
      for (const body of [{ json: { l1_server: l1 } }, { form: { l1_server: l1 } }]) {
        const res = await postAttach(request, body, bearer(user.access_token));
        await expectError(res, 400, "l1_not_allowed");
        expect(res.headers()["location"], `no Location for ${l1}`).toBeUndefined();
      }
    }
    expect(sortedByL1(await getRenderers(request, bearer(user.access_token)))).toEqual(notAttached(LISTED_L1S));
  });

  test("no l1_server, or not a string → 400 JSON and no Location", async ({ request }) => {
    const user = await newUser(request, "nol1");
    for (const body of [{ json: {} }, { json: { l1_server: 8319 } }, { json: { l1_server: [FAKE_L1.url] } }, { json: { l1_server: null } }, { form: {} }]) {
      const res = await postAttach(request, body, bearer(user.access_token));
      expect(res.status(), `${JSON.stringify(body)} → ${await res.text()}`).toBe(400);
      expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
      expect(res.headers()["location"]).toBeUndefined();
    }
    expect(sortedByL1(await getRenderers(request, bearer(user.access_token)))).toEqual(notAttached(LISTED_L1S));
  });

  test("anonymous attach and detach → 401, no Location", async ({ request }) => {
    for (const res of [await postAttach(request, { json: { l1_server: FAKE_L1.url } }), await postDetach(request, { json: { l1_server: FAKE_L1.url } })]) {
      await expectError(res, 401, "unauthorized");
      expect(res.headers()["location"]).toBeUndefined();
    }
  });
});

test.describe("POST /renderers/detach", () => {
  test("Bearer → 200 {l1_server, attached: false}; the token dies at once and the L1 is told POST /auth/revoke {token}", async ({ request }) => {
    const user = await newUser(request, "detach");
    const scoped = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);

    const res = await postDetach(request, { json: { l1_server: FAKE_L1.url } }, { ...bearer(user.access_token), accept: "application/json" });
    expect(res.status(), await res.text()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
    const body: unknown = await res.json();

    await expectRefused(await verify(request, scoped, FAKE_L1.url));
    expect(await rendererState(request, bearer(user.access_token), FAKE_L1.url)).toEqual({ l1_server: FAKE_L1.url, attached: false, attached_at: null });
    await expectFakeL1Received(request, (r) => expect(revokedTokens(r)).toContain(scoped));
    // Detach is no logout: the login token still works.
    expect((await me(request, user.access_token)).status()).toBe(200);
    expect(body, "the new state, shaped like an entry of GET /renderers").toEqual({ l1_server: FAKE_L1.url, attached: false, attached_at: null });
  });

  test("with Accept text/html (a form post) → 303 to /renderers", async ({ request }) => {
    const user = await newUser(request, "detachhtml");
    await attachWithBearer(request, user.access_token, DOWN_L1.url);
    const res = await postDetach(
      request,
      { form: { l1_server: DOWN_L1.url } },
      { ...bearer(user.access_token), accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    );
    expect(res.status(), await res.text()).toBe(303);
    expect(new URL(res.headers()["location"], MAIN.url).href).toBe(`${MAIN.url}/renderers`);
    expect((await rendererState(request, bearer(user.access_token), DOWN_L1.url)).attached).toBe(false);
  });

  test("an L1 that ignores the revocation keeps its session, but the token fails at /auth/verify, so the L1 shows logged out", async ({ request }) => {
    const user = await newUser(request, "ignorer");
    const scoped = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    // The person follows the redirect to the L1, which verifies and logs them in.
    const landing = await request.get(`${FAKE_L1.url}/auth?auth_token=${encodeURIComponent(scoped)}`, { maxRedirects: 0 });
    expect(landing.status(), await landing.text()).toBe(302);
    expect(landing.headers()["location"]).toBe("/");
    expect(await fakeL1HomeText(request)).toContain(`logged in as ${user.username}`);

    await setIgnoreRevocations(request, true);
    const res = await postDetach(request, { json: { l1_server: FAKE_L1.url } }, bearer(user.access_token));
    expect(res.status(), await res.text()).toBe(200);
    await expectFakeL1Received(request, (r) => expect(revokedTokens(r)).toContain(scoped));

    await expectRefused(await verify(request, scoped, FAKE_L1.url));
    const home = await fakeL1HomeText(request);
    expect(home).toContain("logged out");
    expect(home).not.toContain("logged in as");
    const lastVerify = (await fakeL1Received(request)).verify.filter((v) => v.token === scoped).at(-1);
    expect(lastVerify, "the L1 re-verified the token at L2").toMatchObject({ status: 401, body: { valid: false, active: false } });
  });
});

test.describe("POST /auth/verify", () => {
  let holder: TokenGrant;
  let scoped: string;
  let claims: ScopedClaims;

  test.beforeAll(async ({ playwright }) => {
    const request = await playwright.request.newContext({ baseURL: MAIN.url });
    holder = await register(request, uniqueUsername("holder"));
    scoped = await attachWithBearer(request, holder.access_token, FAKE_L1.url);
    claims = decodeJwt(scoped).payload;
    await request.dispose();
  });

  test("the scoped token from its own L1 → 200 with the introspection fields, as JSON, form-encoded, or Bearer + X-L1-Server", async ({ request }) => {
    await expectVerified(await postVerify(request, { json: { token: scoped, l1_server: FAKE_L1.url } }), scoped);
    await expectVerified(await postVerify(request, { form: { token: scoped, l1_server: FAKE_L1.url } }), scoped);
    await expectVerified(await postVerify(request, { headers: { ...bearer(scoped), "x-l1-server": FAKE_L1.url } }), scoped);
  });

  test("l1_server missing → 400 (JSON, form and header variants), Cache-Control: no-store", async ({ request }) => {
    for (const body of [{ json: { token: scoped } }, { form: { token: scoped } }, { headers: bearer(scoped) }]) {
      const res = await postVerify(request, body);
      const text = await res.text();
      expect(res.status(), `${JSON.stringify(body)} → ${text}`).toBe(400);
      expect(res.headers()["cache-control"]).toBe("no-store");
      expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
      expect(text).not.toContain('"valid":true');
      expect(text).not.toContain(holder.username);
    }
  });

  test("an L1 not in L1_SERVERS, even with a valid token → 403 unauthorized_l1, Cache-Control: no-store", async ({ request }) => {
    for (const body of [
      { json: { token: scoped, l1_server: "http://evil.example" } },
      { json: { token: scoped, l1_server: "http://127.0.0.1:8319.evil.com" } },
      { form: { token: scoped, l1_server: "http://localhost:8319" } },
      { headers: { ...bearer(scoped), "x-l1-server": "http://evil.example" } },
    ]) {
      const res = await postVerify(request, body);
      const err = await expectError(res, 403, "unauthorized_l1");
      expect(res.headers()["cache-control"]).toBe("no-store");
      expect(JSON.stringify(err)).not.toContain(holder.username);
    }
  });

  const hostile: { title: string; l1?: string; token: () => Promise<string> | string }[] = [
    { title: "a token scoped to FAKE_L1 presented by another listed L1 (SCRIPTED_L1)", l1: SCRIPTED_L1.url, token: () => scoped },
    { title: "a token scoped to FAKE_L1 presented by another listed L1 (DOWN_L1)", l1: DOWN_L1.url, token: () => scoped },
    { title: "an unscoped login token", token: () => holder.access_token },
    {
      title: "a correctly signed token with a live parent session that L2 never issued (fresh jti)",
      token: () => signClaims({ ...claims, jti: randomUUID(), iat: now(), exp: now() + 600 }, MAIN_JWT_SECRET),
    },
    {
      title: "a correctly signed copy of the real token's claims with a later expiry",
      token: () => signClaims({ ...claims, exp: claims.exp + 3600 }, MAIN_JWT_SECRET),
    },
    {
      title: "a correctly signed token scoped to FAKE_L1 without a parent session (no sid)",
      token: () => {
        const { sid: _sid, ...rest } = claims;
        return signClaims({ ...rest, jti: randomUUID() }, MAIN_JWT_SECRET);
      },
    },
    {
      title: "expired (correctly signed, exp a minute ago)",
      token: () => signClaims({ ...claims, iat: now() - 3600, exp: now() - 60 }, MAIN_JWT_SECRET),
    },
    {
      title: "the real token re-scoped to SCRIPTED_L1 (payload changed, signature kept)",
      l1: SCRIPTED_L1.url,
      token: () => tamperedToken(scoped, { l1_server: SCRIPTED_L1.url } as never),
    },
    { title: "the real token with another username (signature kept)", token: () => tamperedToken(scoped, { sub: "giles", username: "giles" }) },
    { title: "alg: none with the real token's claims", token: () => unsignedToken(claims) },
    { title: "signed with a wrong secret", token: () => signClaims(claims, WRONG_SECRET) },
    { title: "signed with HS512 and the right secret", token: () => signClaims(claims, MAIN_JWT_SECRET, "HS512") },
    {
      title: "issued by another L2 (l2_server of another host, right secret)",
      token: () => signClaims({ ...claims, l2_server: "http://other.example", jti: randomUUID() }, MAIN_JWT_SECRET),
    },
    { title: "the real token with its signature cut off", token: () => scoped.slice(0, scoped.lastIndexOf(".") + 1) },
    { title: "not a JWT", token: () => "hello" },
    { title: "an empty token", token: () => "" },
    { title: "an oversized token (9 000 characters)", token: () => `${scoped}.${"a".repeat(9_000 - scoped.length - 1)}` },
  ];

  for (const h of hostile) {
    test(`refuses ${h.title} with exactly 401 {valid: false, active: false}`, async ({ request }) => {
      await expectRefused(await verify(request, await h.token(), h.l1 ?? FAKE_L1.url));
    });
  }

  test("no token at all → 401 {valid: false, active: false}", async ({ request }) => {
    await expectRefused(await postVerify(request, { json: { l1_server: FAKE_L1.url } }));
    await expectRefused(await postVerify(request, { headers: { "x-l1-server": FAKE_L1.url } }));
  });

  test("the real token still works after all that (the refusals changed nothing)", async ({ request }) => {
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
  });
});

test.describe("logout kills the scoped tokens", () => {
  test("a scoped token whose parent session logged out → 401 at once; the L1 is told revoke and revoke-user; the attachments go", async ({ request }) => {
    const user = await newUser(request, "parent");
    const scoped = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);

    const logout = await request.post("/auth/logout", { headers: bearer(user.access_token) });
    expect(logout.status()).toBe(200);
    expect(await logout.json()).toEqual({ revoked: true });
    await expectRefused(await verify(request, scoped, FAKE_L1.url));

    await expectFakeL1Received(request, (r) => {
      expect(revokedTokens(r)).toContain(scoped);
      expect(revokedUsers(r)).toContain(user.username);
    });
    const again = await login(request, user.username);
    await expect(async () => {
      expect(sortedByL1(await getRenderers(request, bearer(again.access_token)))).toEqual(notAttached(LISTED_L1S));
    }).toPass({ timeout: 15_000 });
    await expectRefused(await verify(request, scoped, FAKE_L1.url));
  });

  test("with an attached L1 that is down, logout answers 200 at once and its token is already dead", async ({ request }) => {
    const user = await newUser(request, "downl1");
    const toDown = await attachWithBearer(request, user.access_token, DOWN_L1.url);
    const toFake = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    await expectVerified(await verify(request, toDown, DOWN_L1.url), toDown);

    // That logout never waits for an L1 is shown without a clock by the next test (an L1 that holds
    // its calls until after logout has answered); here: the answer, and the tokens dead at once.
    const logout = await request.post("/auth/logout", { headers: bearer(user.access_token) });
    expect(logout.status()).toBe(200);
    expect(await logout.json()).toEqual({ revoked: true });

    await expectRefused(await verify(request, toDown, DOWN_L1.url));
    await expectRefused(await verify(request, toFake, FAKE_L1.url));
    // The L1 that is up is told, whatever happens to the one that is down.
    await expectFakeL1Received(request, (r) => {
      expect(revokedTokens(r)).toContain(toFake);
      expect(revokedUsers(r)).toContain(user.username);
    });
  });

  test("with an attached L1 that hangs, logout answers 200 at once; the L1 is told revoke and revoke-user afterwards", async ({ request }) => {
    // SCRIPTED_L1 records every revocation call and holds it until released, then answers 200 (so
    // nothing is left for L2 to retry against this port).
    const received: { path: string; body: string }[] = [];
    const held: http.ServerResponse[] = [];
    let hang = true;
    const answer = (res: http.ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end('{"revoked":true}');
    const release = () => {
      hang = false;
      for (const res of held.splice(0)) answer(res);
    };
    const l1 = await startFakeL1({
      port: SCRIPTED_L1.port,
      l2Url: MAIN.url,
      routes: [
        {
          method: "POST",
          path: /^\/auth\/revoke(-user)?$/,
          handle(req, res) {
            let body = "";
            req.setEncoding("utf8").on("data", (s: string) => (body += s));
            req.on("end", () => {
              received.push({ path: req.url ?? "", body });
              if (hang) held.push(res);
              else answer(res);
            });
          },
        },
      ],
    });
    try {
      const user = await newUser(request, "hangl1");
      const scoped = await attachWithBearer(request, user.access_token, SCRIPTED_L1.url);
      await expectVerified(await verify(request, scoped, SCRIPTED_L1.url), scoped);

      // The L1 holds every call until release(), which comes only after logout has answered: a
      // logout that waited for the L1 would never answer (and this test would time out).
      const logout = await request.post("/auth/logout", { headers: bearer(user.access_token) });
      expect(logout.status()).toBe(200);
      expect(await logout.json()).toEqual({ revoked: true });
      await expectRefused(await verify(request, scoped, SCRIPTED_L1.url));

      // L2 calls from its queue: the calls arrive while the L1 hangs; released, they are answered.
      await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThan(0);
      release();
      await expect
        .poll(() => received.map((r) => `${r.path} ${r.body}`), { timeout: 15_000 })
        .toEqual(
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`^/auth/revoke .*${scoped.replace(/[.]/g, "\\.")}`)),
            expect.stringMatching(new RegExp(`^/auth/revoke-user .*"${user.username}"`)),
          ]),
        );
    } finally {
      release();
      await sleep(200);
      await l1.close();
    }
  });
});

test.describe("logout with an L1 that is down: the notice is retried until it gets through", () => {
  test("SCRIPTED_L1 is down at logout, then fails once with 503, then answers: it gets /auth/revoke and /auth/revoke-user", async ({ request }) => {
    test.setTimeout(90_000);
    const user = await newUser(request, "retry");
    const scoped = await attachWithBearer(request, user.access_token, SCRIPTED_L1.url);
    const logout = await request.post("/auth/logout", { headers: bearer(user.access_token) });
    expect(logout.status()).toBe(200);
    await expectRefused(await verify(request, scoped, SCRIPTED_L1.url));

    // Nothing listens on SCRIPTED_L1 for a while: L2's first attempts are refused.
    await sleep(2_500);
    const calls: { path: string; body: string; status: number }[] = [];
    const l1 = await startFakeL1({
      port: SCRIPTED_L1.port,
      routes: [
        {
          method: "POST",
          path: /^\/auth\/revoke(-user)?$/,
          handle(req, res) {
            let body = "";
            req.setEncoding("utf8").on("data", (s: string) => (body += s));
            req.on("end", () => {
              const status = calls.length === 0 ? 503 : 200;
              calls.push({ path: req.url ?? "", body, status });
              res.writeHead(status, { "content-type": "application/json" }).end(status === 200 ? '{"revoked":true}' : '{"detail":"busy"}');
            });
          },
        },
      ],
    });
    try {
      await expect
        .poll(() => calls.filter((c) => c.status === 200).map((c) => `${c.path} ${c.body}`), { timeout: 75_000, intervals: [500, 1000] })
        .toEqual([`/auth/revoke ${JSON.stringify({ token: scoped })}`, `/auth/revoke-user ${JSON.stringify({ username: user.username })}`]);
      expect(calls[0], "the first answer was a 503, and L2 tried again").toMatchObject({ path: "/auth/revoke", status: 503 });
    } finally {
      await l1.close();
    }
  });
});

test.describe("CSRF: cookie-authenticated writes need the site's own Origin", () => {
  // One person's session through the steps below, in order.
  test.describe.configure({ mode: "serial" });
  let person: BrowserUser;
  let scoped: string;

  test.beforeAll(async ({ browser }) => {
    person = await registerInBrowser(browser, "csrf");
  });

  test.afterAll(async () => {
    await person.context.close();
  });

  const foreign: { title: string; headers: Record<string, string> }[] = [
    { title: "another site's Origin", headers: { origin: "http://evil.example" } },
    { title: "the same host on another port", headers: { origin: "http://localhost:8312" } },
    { title: "the same port under another host name", headers: { origin: "http://127.0.0.1:8311" } },
    { title: "a look-alike Origin", headers: { origin: "http://localhost:8311.evil.com" } },
    { title: 'Origin "null"', headers: { origin: "null" } },
    { title: "no Origin and no Sec-Fetch-Site", headers: {} },
    { title: "no Origin and Sec-Fetch-Site: cross-site", headers: { "sec-fetch-site": "cross-site" } },
    { title: "no Origin and Sec-Fetch-Site: same-site", headers: { "sec-fetch-site": "same-site" } },
  ];

  test("attach with a foreign or missing Origin → 403 csrf_rejected, no Location, nothing attached", async ({ request }) => {
    for (const f of foreign) {
      for (const body of [{ form: { l1_server: FAKE_L1.url } }, { json: { l1_server: FAKE_L1.url } }]) {
        const res = await postAttach(request, body, { cookie: person.cookie, ...f.headers });
        const text = await res.text();
        expect(res.status(), `${f.title}: ${text}`).toBe(403);
        expect(JSON.parse(text)).toMatchObject({ error: "csrf_rejected" });
        expect(res.headers()["location"], f.title).toBeUndefined();
      }
    }
    expect(sortedByL1(await getRenderers(request, { cookie: person.cookie }))).toEqual(notAttached(LISTED_L1S));
  });

  test("the same attach from the site's own Origin → 303 (and Bearer needs no Origin at all)", async ({ request }) => {
    scoped = await scopedTokenOf(await postAttach(request, { form: { l1_server: FAKE_L1.url } }, sameOrigin(person)), FAKE_L1.url);
    expect(decodeJwt(scoped).payload.username).toBe(person.username);
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
  });

  test("detach with a foreign or missing Origin → 403 csrf_rejected; the attachment and its token stay", async ({ request }) => {
    const before = await rendererState(request, { cookie: person.cookie }, FAKE_L1.url);
    expect(before.attached).toBe(true);
    for (const f of foreign) {
      const res = await postDetach(request, { form: { l1_server: FAKE_L1.url } }, { cookie: person.cookie, accept: "text/html", ...f.headers });
      const text = await res.text();
      expect(res.status(), `${f.title}: ${text}`).toBe(403);
      expect(JSON.parse(text)).toMatchObject({ error: "csrf_rejected" });
    }
    expect(await rendererState(request, { cookie: person.cookie }, FAKE_L1.url)).toEqual(before);
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
  });

  test("logout with a foreign or missing Origin → 403 csrf_rejected; the session and the scoped token stay", async ({ request }) => {
    for (const f of foreign) {
      const res = await request.post("/auth/logout", { headers: { cookie: person.cookie, ...f.headers }, maxRedirects: 0 });
      const text = await res.text();
      expect(res.status(), `${f.title}: ${text}`).toBe(403);
      expect(JSON.parse(text)).toMatchObject({ error: "csrf_rejected" });
    }
    expect((await request.get("/auth/me", { headers: { cookie: person.cookie } })).status()).toBe(200);
    await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
  });

  test("detach with no Origin but Sec-Fetch-Site: same-origin is the site's own request → allowed", async ({ request }) => {
    const res = await postDetach(request, { json: { l1_server: FAKE_L1.url } }, { cookie: person.cookie, "sec-fetch-site": "same-origin" });
    expect(res.status(), await res.text()).toBe(200);
    // (The exact body is asserted once, in "POST /renderers/detach".)
    expect(await res.json()).toMatchObject({ l1_server: FAKE_L1.url, attached: false });
    await expectRefused(await verify(request, scoped, FAKE_L1.url));
  });

  test("logout from the site's own Origin → 200, and then the session is gone", async ({ request }) => {
    const again = await scopedTokenOf(await postAttach(request, { json: { l1_server: DOWN_L1.url } }, sameOrigin(person)), DOWN_L1.url);
    const res = await request.post("/auth/logout", { headers: sameOrigin(person), maxRedirects: 0 });
    expect(res.status(), await res.text()).toBe(200);
    expect((await request.get("/auth/me", { headers: { cookie: person.cookie } })).status()).toBe(401);
    await expectRefused(await verify(request, again, DOWN_L1.url));
  });
});

test.describe("one user against another", () => {
  test("B sees only B's state and B's detach leaves A's attachment and token alone", async ({ request }) => {
    const a = await newUser(request, "usera");
    const b = await newUser(request, "userb");
    const tokenA = await attachWithBearer(request, a.access_token, FAKE_L1.url);
    const stateA = await rendererState(request, bearer(a.access_token), FAKE_L1.url);
    expect(stateA.attached).toBe(true);

    expect(sortedByL1(await getRenderers(request, bearer(b.access_token)))).toEqual(notAttached(LISTED_L1S));
    const res = await postDetach(request, { json: { l1_server: FAKE_L1.url } }, bearer(b.access_token));
    expect(res.status(), await res.text()).toBe(200);
    expect(await res.json()).toMatchObject({ l1_server: FAKE_L1.url, attached: false });
    // Whatever else B sends cannot name A.
    for (const extra of [{ username: a.username }, { user: a.username }, { sub: a.username }]) {
      const r = await postDetach(request, { json: { l1_server: FAKE_L1.url, ...extra } }, bearer(b.access_token));
      expect([200, 400]).toContain(r.status());
    }

    expect(await rendererState(request, bearer(a.access_token), FAKE_L1.url)).toEqual(stateA);
    await expectVerified(await verify(request, tokenA, FAKE_L1.url), tokenA);
    // Give the queue time to run anything B's detach might have scheduled: A's token is never revoked.
    await sleep(4_000);
    expect(revokedTokens(await fakeL1Received(request))).not.toContain(tokenA);
    await expectVerified(await verify(request, tokenA, FAKE_L1.url), tokenA);

    // And A's logout does not touch B.
    const tokenB = await attachWithBearer(request, b.access_token, FAKE_L1.url);
    expect((await request.post("/auth/logout", { headers: bearer(a.access_token) })).status()).toBe(200);
    await expectRefused(await verify(request, tokenA, FAKE_L1.url));
    await expectVerified(await verify(request, tokenB, FAKE_L1.url), tokenB);
    expect((await rendererState(request, bearer(b.access_token), FAKE_L1.url)).attached).toBe(true);
  });
});

test.describe("renderer login at the fake L1", () => {
  test("the L1 logs the person in with its own token, and refuses a token another L1 received (stolen and replayed)", async ({ request }) => {
    const user = await newUser(request, "replay");
    // A malicious SCRIPTED_L1 receives a token scoped to itself and replays it at FAKE_L1.
    const stolen = await attachWithBearer(request, user.access_token, SCRIPTED_L1.url);
    const replay = await request.get(`${FAKE_L1.url}/auth?auth_token=${encodeURIComponent(stolen)}`, { maxRedirects: 0 });
    expect(replay.status()).toBe(401);
    expect(replay.headers()["set-cookie"]).toBeUndefined();
    expect(await replay.text()).toContain("login failed");
    expect(await fakeL1HomeText(request)).toContain("logged out");
    const asked = (await fakeL1Received(request)).verify.filter((v) => v.token === stolen);
    expect(asked).toEqual([expect.objectContaining({ l1_server: FAKE_L1.url, status: 401, body: { valid: false, active: false } })]);

    // Its own token works.
    const own = await attachWithBearer(request, user.access_token, FAKE_L1.url);
    const landing = await request.get(`${FAKE_L1.url}/auth?auth_token=${encodeURIComponent(own)}`, { maxRedirects: 0 });
    expect(landing.status()).toBe(302);
    expect(landing.headers()["set-cookie"]).toMatch(/^l1_session=[0-9a-f]+; Path=\/; HttpOnly/);
    expect(await fakeL1HomeText(request)).toContain(`logged in as ${user.username}`);
  });
});
