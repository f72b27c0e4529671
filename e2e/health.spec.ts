// Liveness and readiness for load balancers, orchestrators and the image's HEALTHCHECK (issue #13,
// item 5): /healthz answers from the front door without any I/O, /readyz reports the database, the
// migrations and the queue. Both unauthenticated, never cached.
import { expect, test } from "@playwright/test";
import { MAIN } from "./support/servers";

test("GET /healthz: alive, answered by the front door", async ({ request }) => {
  const res = await request.get(`${MAIN.url}/healthz`);
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});

test("GET /readyz: ready, with the database, the migrations and the queue named; never cached", async ({ request }) => {
  const res = await request.get(`${MAIN.url}/readyz`);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/json/);
  expect(res.headers()["cache-control"]).toBe("no-store");
  expect(await res.json()).toEqual({ status: "ready", database: "ok", migrations: "current", queue: "running" });
  // A browser asking for HTML gets the same JSON (no page at this path), and a credential changes nothing.
  const asBrowser = await request.get(`${MAIN.url}/readyz`, { headers: { accept: "text/html", authorization: "Bearer not-a-token" } });
  expect([asBrowser.status(), await asBrowser.json()]).toEqual([200, { status: "ready", database: "ok", migrations: "current", queue: "running" }]);
});

test("POST /readyz: 405 with Allow, as JSON", async ({ request }) => {
  const res = await request.post(`${MAIN.url}/readyz`, { data: {} });
  expect(res.status()).toBe(405);
  expect(res.headers()["allow"]).toBe("GET, HEAD, OPTIONS");
  expect(await res.json()).toMatchObject({ error: "method_not_allowed" });
});
