// Tokens at GET /auth/me (protocols.md §4): a token signed exactly as the server signs is
// accepted — so the forgeries below fail for the one reason each is built to test — and every
// forged, expired, tampered or revoked token is a 401 with the same body.
import { expect, test } from "@playwright/test";
import { bearer, claimsFor, expectError, me, register, signToken, tamperedToken, uniqueUsername, unsignedToken, type Claims } from "./support/api";
import { MAIN, MAIN_JWT_SECRET } from "./support/servers";

const WRONG_SECRET = "not-the-server-secret-0123456789abcdef0123456789";

let alice: string;
let bob: string;
let aliceToken: string;

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: MAIN.url });
  alice = uniqueUsername("alice");
  bob = uniqueUsername("bob");
  aliceToken = (await register(request, alice)).access_token;
  await register(request, bob);
  await request.dispose();
});

test("a token signed like the server's own (HS256, its secret, its claims) is accepted", async ({ request }) => {
  const res = await me(request, await signToken(claimsFor(MAIN.url, alice), MAIN_JWT_SECRET));
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ username: alice });
});

const now = () => Math.floor(Date.now() / 1000);

const forgeries: { title: string; token: () => Promise<string> | string }[] = [
  { title: "alg: none, no signature", token: () => unsignedToken(claimsFor(MAIN.url, alice)) },
  { title: "signed with a wrong secret", token: () => signToken(claimsFor(MAIN.url, alice), WRONG_SECRET) },
  { title: "signed with another algorithm (HS512) and the right secret", token: () => signToken(claimsFor(MAIN.url, alice), MAIN_JWT_SECRET, "HS512") },
  {
    title: "expired (exp a minute ago)",
    token: () => signToken(claimsFor(MAIN.url, alice, { iat: now() - 3600, exp: now() - 60 }), MAIN_JWT_SECRET),
  },
  {
    // The server tolerates 60 s of clock drift (TOKEN_FUTURE_SKEW_SECONDS); these are far beyond it.
    title: "issued (iat) an hour in the future",
    token: () => signToken(claimsFor(MAIN.url, alice, { iat: now() + 3600, exp: now() + 7200 }), MAIN_JWT_SECRET),
  },
  {
    title: "issued (iat) two minutes in the future",
    token: () => signToken(claimsFor(MAIN.url, alice, { iat: now() + 120, exp: now() + 3600 }), MAIN_JWT_SECRET),
  },
  {
    title: "not valid before (nbf) an hour from now",
    token: () => signToken({ ...claimsFor(MAIN.url, alice), nbf: now() + 3600 } as Claims, MAIN_JWT_SECRET),
  },
  {
    title: "issued by another L2 (l2_server of another host)",
    token: () => signToken(claimsFor(MAIN.url, alice, { l2_server: "http://other.example" }), MAIN_JWT_SECRET),
  },
  {
    title: "sub and username that disagree",
    token: () => signToken({ ...claimsFor(MAIN.url, alice), sub: bob } as Claims, MAIN_JWT_SECRET),
  },
  { title: "a real token whose payload was changed to another user (signature kept)", token: () => tamperedToken(aliceToken, { sub: bob, username: bob }) },
  { title: "a real token with its signature cut off", token: () => aliceToken.slice(0, aliceToken.lastIndexOf(".") + 1) },
  { title: "not a JWT at all", token: () => "hello" },
];

for (const f of forgeries) {
  test(`GET /auth/me refuses a token ${f.title} with 401`, async ({ request }) => {
    const body = await expectError(await me(request, await f.token()), 401, "unauthorized");
    expect(body.message).toBe("The token is invalid, expired or revoked.");
  });
}

test("an Authorization header that is not 'Bearer <token>' → 401", async ({ request }) => {
  await expectError(await request.get("/auth/me", { headers: { authorization: `Basic ${btoa("a:b")}` } }), 401, "unauthorized");
});

test("no credentials at all → 401 with a WWW-Authenticate challenge", async ({ request }) => {
  const res = await request.get("/auth/me");
  await expectError(res, 401, "unauthorized");
  expect(res.headers()["www-authenticate"]).toMatch(/^Bearer\b/);
});

test("a token revoked by POST /auth/logout is refused from then on, though its signature and expiry are fine", async ({ request }) => {
  const username = uniqueUsername("revoke");
  const { access_token } = await register(request, username);
  expect((await me(request, access_token)).status()).toBe(200);

  const logout = await request.post("/auth/logout", { headers: bearer(access_token) });
  expect(logout.status()).toBe(200);
  expect(await logout.json()).toEqual({ revoked: true });

  const body = await expectError(await me(request, access_token), 401, "unauthorized");
  expect(body.message).toBe("The token is invalid, expired or revoked.");
});
