// POST /anchors is rate limited per user (RATE_LIMIT_ANCHOR), against a server of its own started
// with RATE_LIMIT_ANCHOR=2/3600 and the suite's stub calendars (so an anchor really is made).
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { bearer, expectError, login, register, uniqueUsername } from "./support/api";
import { createAsset, type User } from "./support/registry";
import { ANCHOR_LIMITED, MAIN_OTS, NO_RATE_LIMITS } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

let server: SpawnedServer | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  wipeDataDir(ANCHOR_LIMITED);
  server = await startServer(ANCHOR_LIMITED, { ...NO_RATE_LIMITS, ...MAIN_OTS, RATE_LIMIT_ANCHOR: "2/3600" });
});

test.afterAll(async () => {
  await server?.stop();
});

test.use({ baseURL: ANCHOR_LIMITED.url });

async function newUser(request: APIRequestContext, prefix: string): Promise<User> {
  const grant = await register(request, uniqueUsername(prefix));
  return { username: grant.username, token: grant.access_token };
}

function anchorNow(request: APIRequestContext, user: User): Promise<APIResponse> {
  return request.post("/anchors", { headers: { accept: "application/json", ...bearer(user.token) } });
}

async function waitingCount(request: APIRequestContext): Promise<number> {
  const res = await request.get("/anchors", { headers: { accept: "application/json" } });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { unanchored: number };
  return body.unanchored;
}

test("a user past RATE_LIMIT_ANCHOR gets 429 with Retry-After and nothing is anchored; another user is unaffected", async ({ request }) => {
  const alice = await newUser(request, "anchora");
  const bob = await newUser(request, "anchorb");

  await createAsset(request, alice);
  const first = await anchorNow(request, alice);
  expect(first.status(), await first.text()).toBe(201);
  expect(((await first.json()) as { anchor: { activity_count: number } }).anchor.activity_count).toBeGreaterThanOrEqual(1);
  const second = await anchorNow(request, alice);
  expect(second.status(), await second.text()).toBe(200);
  expect(await second.json()).toMatchObject({ anchor: null });

  await createAsset(request, alice);
  const before = await waitingCount(request);
  expect(before).toBe(1);
  const third = await anchorNow(request, alice);
  const body = await expectError(third, 429, "rate_limited");
  expect(body.message).toMatch(/try again in \d+ s/);
  const retryAfter = third.headers()["retry-after"];
  expect(retryAfter, "Retry-After is a number of seconds").toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(3600);
  expect(third.headers()["content-type"]).toMatch(/^application\/json\b/);
  // Refused before anything was done: the activity still waits.
  expect(await waitingCount(request)).toBe(before);
  // Still refused on the next try, and a fresh login token of the same user does not reset it.
  await expectError(await anchorNow(request, alice), 429, "rate_limited");
  const again = { username: alice.username, token: (await login(request, alice.username)).access_token };
  await expectError(await anchorNow(request, again), 429, "rate_limited");

  const fromBob = await anchorNow(request, bob);
  expect(fromBob.status(), await fromBob.text()).toBe(201);
  expect(await waitingCount(request)).toBe(0);
});

test("a request that is not signed in is 401, not counted against anyone", async ({ request }) => {
  await expectError(await request.post("/anchors"), 401, "unauthorized");
  const carol = await newUser(request, "anchorc");
  for (let i = 0; i < 2; i++) expect((await anchorNow(request, carol)).status()).toBe(200);
  await expectError(await anchorNow(request, carol), 429, "rate_limited");
});
