// Rate limits on login and registration (product.md §9), against a server started with
// RATE_LIMIT_LOGIN=3/60 and RATE_LIMIT_REGISTER=2/60 (playwright.config.ts). All requests come
// from one address, so its budget is shared by the tests below, which run in order.
import { expect, test, type APIResponse } from "@playwright/test";
import { expectError, login, PASSWORD, postLogin, postRegister, uniqueUsername, userCount } from "./support/api";
import { RATE_LIMITED } from "./support/servers";

test.use({ baseURL: RATE_LIMITED.url });
test.describe.configure({ mode: "serial" });

async function expectRateLimited(res: APIResponse, windowSeconds: number) {
  await expectError(res, 429, "rate_limited");
  const retryAfter = res.headers()["retry-after"];
  expect(retryAfter, "Retry-After is a number of seconds").toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(windowSeconds);
}

const username = uniqueUsername("limited");

test("the third registration from one address within the window → 429 rate_limited, and nothing is created", async ({ request }) => {
  const before = await userCount(request);
  expect((await postRegister(request, { username, password: PASSWORD })).status()).toBe(201);
  expect((await postRegister(request, { username: uniqueUsername("limited2"), password: PASSWORD })).status()).toBe(201);

  const third = uniqueUsername("limited3");
  await expectRateLimited(await postRegister(request, { username: third, password: PASSWORD }), 60);
  expect(await userCount(request)).toBe(before + 2);
});

test("the fourth login attempt within the window → 429 rate_limited, even with the right password", async ({ request }) => {
  await expectError(await postLogin(request, { username, password: `${PASSWORD}!` }), 401, "invalid_credentials");
  await expectError(await postLogin(request, { username, password: `${PASSWORD}?` }), 401, "invalid_credentials");
  await login(request, username, PASSWORD);
  await expectRateLimited(await postLogin(request, { username, password: PASSWORD }), 60);
});
