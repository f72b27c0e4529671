// next-auth's own endpoints under /api/auth/* (issue #12 item 7). POST /api/auth/signout ends a
// session exactly as /logout does: the session's token and every renderer token issued from it are
// revoked (the old cookie is refused at /auth/me, the renderer token at /auth/verify, the L1 is
// told), and only from the site's own pages. The other endpoints never make a session out of a
// token our rules refuse (renderer-scoped, revoked, issued in the future, forged), and a session
// cookie carrying such a token is anonymous.
import { createHmac } from "node:crypto";
import { encode } from "@auth/core/jwt";
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { bearer, claimsFor, register, signToken, uniqueUsername, type Claims } from "./support/api";
import {
  expectFakeL1Received,
  expectRefused,
  expectVerified,
  postAttach,
  registerInBrowser,
  revokedTokens,
  sameOrigin,
  scopedTokenOf,
  setIgnoreRevocations,
  verify,
  type BrowserUser,
} from "./support/renderers";
import { FAKE_L1, MAIN, MAIN_JWT_SECRET } from "./support/servers";

const now = () => Math.floor(Date.now() / 1000);
const COOKIE_NAME = "authjs.session-token";
/** The key the server encrypts session cookies with (lib/accounts/session.ts), as a forger holding the JWT secret derives it. */
const SESSION_SECRET = createHmac("sha256", MAIN_JWT_SECRET).update("artdag-l2 browser session v1").digest("hex");

/** A session cookie as the server would write it, carrying `accessToken`. */
async function forgedSessionCookie(username: string, accessToken: string): Promise<string> {
  const value = await encode({ token: { sub: username, name: username, accessToken }, secret: SESSION_SECRET, salt: COOKIE_NAME });
  return `${COOKIE_NAME}=${value}`;
}

/** next-auth's CSRF token and the cookie that goes with it (GET /api/auth/csrf). */
async function csrf(request: APIRequestContext, cookie = ""): Promise<{ csrfToken: string; cookie: string }> {
  const res = await request.get("/api/auth/csrf", { headers: cookie ? { cookie } : {} });
  expect(res.status()).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const set = res.headers()["set-cookie"] ?? "";
  const csrfCookie = /(authjs\.csrf-token=[^;]+)/.exec(set)?.[1];
  expect(csrfCookie, `csrf cookie in ${set}`).toBeTruthy();
  return { csrfToken, cookie: [cookie, csrfCookie].filter(Boolean).join("; ") };
}

/** POST /api/auth/signout as next-auth's own sign-out form would (CSRF token and its cookie). */
async function postSignOut(request: APIRequestContext, sessionCookie: string, headers: Record<string, string>): Promise<APIResponse> {
  const { csrfToken, cookie } = await csrf(request, sessionCookie);
  return request.post("/api/auth/signout", { form: { csrfToken, callbackUrl: "/" }, headers: { cookie, ...headers }, maxRedirects: 0 });
}

function clearsSessionCookie(res: APIResponse): boolean {
  return res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .some((h) => /^authjs\.session-token=;/.test(h.value) || /^authjs\.session-token=[^;]*;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i.test(h.value));
}

async function expectSignedIn(request: APIRequestContext, person: BrowserUser): Promise<void> {
  const res = await request.get("/auth/me", { headers: { cookie: person.cookie } });
  expect(res.status(), await res.text()).toBe(200);
  expect(await res.json()).toMatchObject({ username: person.username });
}

test.beforeEach(async ({ request }) => {
  await setIgnoreRevocations(request, false);
});

test.describe("POST /api/auth/signout", () => {
  test("revokes like /logout: the old cookie is refused at /auth/me, the renderer token at /auth/verify, and the L1 is told", async ({ browser, request }) => {
    const person = await registerInBrowser(browser, "signout");
    try {
      const scoped = await scopedTokenOf(await postAttach(request, { form: { l1_server: FAKE_L1.url } }, sameOrigin(person)), FAKE_L1.url);
      await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
      await expectSignedIn(request, person);

      const res = await postSignOut(request, person.cookie, { origin: MAIN.url });
      expect(res.status(), await res.text()).toBe(302);
      expect(clearsSessionCookie(res), "next-auth clears the cookie too").toBe(true);

      // The cookie a copy was kept of is dead, and so is every L1 login made from the session.
      const after = await request.get("/auth/me", { headers: { cookie: person.cookie } });
      expect(after.status()).toBe(401);
      expect(await after.json()).toMatchObject({ error: "unauthorized" });
      await expectRefused(await verify(request, scoped, FAKE_L1.url));
      await expectFakeL1Received(request, (received) => {
        expect(revokedTokens(received)).toContain(scoped);
        expect(received.revokeUser.map((r) => r.username)).toContain(person.username);
      });
      // No attachment is left behind.
      const renderers = await request.get("/renderers", { headers: { accept: "application/json", cookie: person.cookie } });
      expect(renderers.status()).toBe(401);
    } finally {
      await person.context.close();
    }
  });

  test("the browser's own sign-out (next-auth's form, in the page) ends the session the same way", async ({ browser, request }) => {
    const person = await registerInBrowser(browser, "signoutpage");
    try {
      const { page } = person;
      // What next-auth's client signOut() does: fetch the CSRF token, then POST the form from the page.
      const status = await page.evaluate(async () => {
        const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
        const res = await fetch("/api/auth/signout", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
          body: new URLSearchParams({ csrfToken, callbackUrl: "/" }),
        });
        return res.status;
      });
      expect(status).toBe(200);
      expect((await request.get("/auth/me", { headers: { cookie: person.cookie } })).status()).toBe(401);
      await page.goto("/");
      await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
    } finally {
      await person.context.close();
    }
  });

  const foreign: { title: string; headers: Record<string, string> }[] = [
    { title: "another site's Origin", headers: { origin: "http://evil.example" } },
    { title: "a sibling host's Origin", headers: { origin: "http://127.0.0.1:8311" } },
    { title: 'Origin "null"', headers: { origin: "null" } },
    { title: "no Origin and no Sec-Fetch-Site", headers: {} },
    { title: "no Origin and Sec-Fetch-Site: same-site", headers: { "sec-fetch-site": "same-site" } },
  ];

  test("from another site → 403 csrf_rejected; the session and its renderer token stay", async ({ browser, request }) => {
    const person = await registerInBrowser(browser, "signoutcsrf");
    try {
      const scoped = await scopedTokenOf(await postAttach(request, { form: { l1_server: FAKE_L1.url } }, sameOrigin(person)), FAKE_L1.url);
      for (const f of foreign) {
        const res = await postSignOut(request, person.cookie, f.headers);
        const text = await res.text();
        expect(res.status(), `${f.title}: ${text}`).toBe(403);
        expect(JSON.parse(text)).toMatchObject({ error: "csrf_rejected" });
        expect(clearsSessionCookie(res), f.title).toBe(false);
      }
      await expectSignedIn(request, person);
      await expectVerified(await verify(request, scoped, FAKE_L1.url), scoped);
    } finally {
      await person.context.close();
    }
  });

  test("a Bearer token sent to it is not a session: it stays valid", async ({ request }) => {
    const user = await register(request, uniqueUsername("signoutbearer"));
    const res = await postSignOut(request, "", { origin: MAIN.url, ...bearer(user.access_token) });
    expect(res.status()).toBe(302);
    expect((await request.get("/auth/me", { headers: bearer(user.access_token) })).status()).toBe(200);
  });

  test("with no session it revokes nothing and answers as next-auth does", async ({ request }) => {
    const res = await postSignOut(request, "", { origin: MAIN.url });
    expect(res.status()).toBe(302);
  });
});

test.describe("the other next-auth endpoints", () => {
  let alice: string;
  let aliceToken: string;

  test.beforeAll(async ({ playwright }) => {
    const request = await playwright.request.newContext({ baseURL: MAIN.url });
    alice = uniqueUsername("authep");
    aliceToken = (await register(request, alice)).access_token;
    await request.dispose();
  });

  /** POST /api/auth/callback/credentials with a token, as a form posting straight to next-auth would. */
  async function credentialsCallback(request: APIRequestContext, token: string): Promise<APIResponse> {
    const { csrfToken, cookie } = await csrf(request);
    return request.post("/api/auth/callback/credentials", {
      form: { csrfToken, token, callbackUrl: "/" },
      headers: { cookie, origin: MAIN.url },
      maxRedirects: 0,
    });
  }

  function sessionCookieOf(res: APIResponse): string | null {
    const set = res.headersArray().find((h) => h.name.toLowerCase() === "set-cookie" && /^authjs\.session-token=[^;]+/.test(h.value));
    return set ? /^(authjs\.session-token=[^;]+)/.exec(set.value)![1] : null;
  }

  const refused: { title: string; token: () => Promise<string> }[] = [
    {
      title: "a renderer-scoped token",
      token: () => signToken({ ...claimsFor(MAIN.url, alice), l1_server: FAKE_L1.url, sid: "a".repeat(64) } as Claims, MAIN_JWT_SECRET),
    },
    {
      title: "a token issued an hour in the future",
      token: () => signToken(claimsFor(MAIN.url, alice, { iat: now() + 3600, exp: now() + 7200 }), MAIN_JWT_SECRET),
    },
    {
      title: "a token valid only from an hour from now (nbf)",
      token: () => signToken({ ...claimsFor(MAIN.url, alice), nbf: now() + 3600 } as Claims, MAIN_JWT_SECRET),
    },
    { title: "a token signed with another secret", token: () => signToken(claimsFor(MAIN.url, alice), "not-the-server-secret-0123456789abcdef0123456789") },
    { title: "an expired token", token: () => signToken(claimsFor(MAIN.url, alice, { iat: now() - 7200, exp: now() - 60 }), MAIN_JWT_SECRET) },
    { title: "garbage", token: async () => "not-a-token" },
  ];

  for (const r of refused) {
    test(`callback/credentials with ${r.title} makes no session`, async ({ request }) => {
      const res = await credentialsCallback(request, await r.token());
      expect([302, 303]).toContain(res.status());
      expect(res.headers()["location"]).toMatch(/\/login\?error=CredentialsSignin/);
      expect(sessionCookieOf(res)).toBeNull();
    });

    test(`a session cookie carrying ${r.title} is anonymous (/auth/me 401, /api/auth/session null)`, async ({ request }) => {
      const cookie = await forgedSessionCookie(alice, await r.token());
      expect((await request.get("/auth/me", { headers: { cookie } })).status()).toBe(401);
      const session = await request.get("/api/auth/session", { headers: { cookie } });
      expect(session.status()).toBe(200);
      expect(await session.json()).toBeNull();
    });
  }

  test("callback/credentials without next-auth's CSRF token makes no session, even with a valid token", async ({ request }) => {
    const res = await request.post("/api/auth/callback/credentials", {
      form: { token: aliceToken, callbackUrl: "/" },
      headers: { origin: MAIN.url },
      maxRedirects: 0,
    });
    expect(sessionCookieOf(res)).toBeNull();
  });

  test("a revoked login token makes no session at callback/credentials, and its old cookie is anonymous", async ({ request }) => {
    const user = await register(request, uniqueUsername("authrev"));
    const cookie = await forgedSessionCookie(user.username, user.access_token);
    expect((await request.get("/auth/me", { headers: { cookie } })).status()).toBe(200);
    expect((await request.post("/auth/logout", { headers: bearer(user.access_token) })).status()).toBe(200);
    expect(sessionCookieOf(await credentialsCallback(request, user.access_token))).toBeNull();
    expect((await request.get("/auth/me", { headers: { cookie } })).status()).toBe(401);
  });

  test("the session JSON names the user only (never the token), and a session update cannot rename it", async ({ request }) => {
    const cookie = await forgedSessionCookie(alice, aliceToken);
    const session = await request.get("/api/auth/session", { headers: { cookie } });
    const text = await session.text();
    expect(JSON.parse(text)).toMatchObject({ user: { name: alice } });
    expect(text).not.toContain(aliceToken.split(".")[2]);
    const { csrfToken, cookie: withCsrf } = await csrf(request, cookie);
    const update = await request.post("/api/auth/session", {
      data: { csrfToken, data: { user: { name: "mallory" }, name: "mallory", accessToken: "x" } },
      headers: { cookie: withCsrf, "content-type": "application/json", origin: MAIN.url },
    });
    expect(update.status()).toBe(200);
    expect(await update.json()).toMatchObject({ user: { name: alice } });
    const me = await request.get("/auth/me", { headers: { cookie } });
    expect(await me.json()).toMatchObject({ username: alice });
  });

  test("GET /api/auth/signin and /api/auth/signout only redirect to our own pages", async ({ request }) => {
    const signin = await request.get("/api/auth/signin", { maxRedirects: 0 });
    expect(signin.status()).toBe(302);
    expect(signin.headers()["location"]).toMatch(new RegExp(`^(${MAIN.url})?/login`));
    const signout = await request.get("/api/auth/signout", { maxRedirects: 0 });
    expect(signout.status()).toBe(302);
    expect(signout.headers()["location"]).toMatch(new RegExp(`^(${MAIN.url})?/logout`));
  });
});
