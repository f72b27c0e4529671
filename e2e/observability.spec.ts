// What an operator watches (issue #13 item 6), on a server started as `npm start` starts it:
// - the log is JSON lines, one access line per request with its request id (the one the client got
//   in X-Request-Id), method, route, path without its query, status and duration; no token,
//   password or query string in the whole log, whatever requests carried;
// - a client's X-Request-Id is replaced, a trusted proxy's kept;
// - GET /metrics is off by default, only on METRICS_PORT when one is given (the public port answers
//   404 there), on the main port with METRICS=true; it counts requests per route and status and
//   reads the queue's depth and the anchoring backlog from the database;
// - LOG_LEVEL is honoured: the health checks' access lines are debug, shown only at LOG_LEVEL=debug.
import { expect, test } from "@playwright/test";
import { PASSWORD, uniqueUsername } from "./support/api";
import { logEntries, type LogEntry } from "./support/logs";
import { OBSERVED, OBSERVED_METRICS_PORT } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

test.describe.configure({ mode: "serial" });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const metricsUrl = `http://localhost:${OBSERVED_METRICS_PORT}/metrics`;

let server: SpawnedServer | null = null;
test.afterEach(async () => {
  await server?.stop();
  server = null;
});

/** The access lines logged so far. */
function accessLines(s: SpawnedServer): LogEntry[] {
  return logEntries(s.output()).filter((e) => e.component === "access");
}

/** The access line of the answer with this X-Request-Id, once it is written. */
async function accessLineOf(s: SpawnedServer, res: Response): Promise<LogEntry> {
  const id = res.headers.get("x-request-id");
  expect(id).toBeTruthy();
  await expect.poll(() => accessLines(s).filter((e) => e.reqId === id).length).toBe(1);
  return accessLines(s).find((e) => e.reqId === id)!;
}

/** The value of one series in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("JSON access lines that never hold a credential, and metrics on a port of their own", async () => {
  test.setTimeout(120_000);
  wipeDataDir(OBSERVED);
  server = await startServer(OBSERVED, { METRICS_PORT: String(OBSERVED_METRICS_PORT), METRICS_HOST: "localhost" });
  const base = OBSERVED.url;

  const username = uniqueUsername("observed");
  const registered = await fetch(`${base}/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "chosen-by-client-0001" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(registered.status).toBe(201);
  const token = ((await registered.json()) as { access_token: string }).access_token;
  // Not behind a trusted proxy: the client's id is replaced by one of ours.
  expect(registered.headers.get("x-request-id")).toMatch(UUID);
  const registration = await accessLineOf(server, registered);
  expect(registration).toMatchObject({
    level: "info",
    method: "POST",
    route: "/auth/register",
    path: "/auth/register",
    status: 201,
    client: "127.0.0.1",
    cached: false,
  });
  expect(registration.ms).toBeGreaterThan(0);
  expect(registration.msg).toBe(`POST /auth/register 201 ${registration.ms} ms`);
  expect(new Date(registration.time as string).toISOString()).toBe(registration.time);

  // A credential in every place a request can carry one.
  const meRes = await fetch(`${base}/auth/me?token=${token}&password=${encodeURIComponent(PASSWORD)}`, { headers: { authorization: `Bearer ${token}` } });
  expect(meRes.status).toBe(200);
  expect(await accessLineOf(server, meRes)).toMatchObject({ method: "GET", route: "/auth/me", path: "/auth/me", status: 200 });
  const wrong = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "wrong password here" }),
  });
  expect(wrong.status).toBe(401);
  expect(await accessLineOf(server, wrong)).toMatchObject({ route: "/auth/login", status: 401 });
  const actor = await fetch(`${base}/users/${username}`, { headers: { accept: "application/activity+json" } });
  expect(actor.status).toBe(200);
  expect(await accessLineOf(server, actor)).toMatchObject({ route: "/users/[username]", path: `/users/${username}`, status: 200 });
  const missing = await fetch(`${base}/no/such/page`);
  expect(missing.status).toBe(404);
  expect(await accessLineOf(server, missing)).toMatchObject({ route: "(unmatched)", status: 404 });

  const log = server.output();
  for (const secret of [token, token.split(".")[2], PASSWORD, "wrong password here", "token="]) expect(log).not.toContain(secret);
  // Every line is JSON (Next prints nothing of its own at start-up with a build in place).
  expect(logEntries(log).filter((e) => e.text !== undefined)).toEqual([]);

  // The public port has no /metrics: the app's 404.
  expect((await fetch(`${base}/metrics`)).status).toBe(404);
  // The metrics port has nothing else.
  const other = await fetch(`http://localhost:${OBSERVED_METRICS_PORT}/healthz`);
  expect(other.status).toBe(404);
  expect(await other.json()).toEqual({ error: "not_found", message: "This port serves GET /metrics only." });

  // One claim: one activity waiting for an anchor batch (ANCHOR_INTERVAL_MINUTES=0 here), and no
  // follower, so nothing queued for delivery.
  const claimed = await fetch(`${base}/assets`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: `${username}-work`, content_hash: "ab".repeat(32), asset_type: "image" }),
  });
  expect(claimed.status, await claimed.clone().text()).toBe(201);

  const scraped = await fetch(metricsUrl);
  expect(scraped.status).toBe(200);
  expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await scraped.text();
  expect(sample(text, 'artdag_http_requests_total{method="POST",route="/auth/register",status="201"}')).toBe(1);
  expect(sample(text, 'artdag_http_requests_total{method="POST",route="/auth/login",status="401"}')).toBe(1);
  expect(sample(text, 'artdag_http_requests_total{method="GET",route="/users/[username]",status="200"}')).toBe(1);
  expect(sample(text, 'artdag_http_request_duration_seconds_count{method="GET",route="/auth/me"}')).toBe(1);
  expect(sample(text, "artdag_database_up")).toBe(1);
  for (const state of ["created", "retry", "active"]) expect(sample(text, `artdag_queue_jobs{queue="deliver",state="${state}"}`)).toBe(0);
  expect(sample(text, "artdag_anchors_pending")).toBe(0);
  expect(sample(text, "artdag_activities_unanchored")).toBe(1);
  expect(sample(text, 'artdag_deliveries_total{outcome="failed"}')).toBe(0);
  expect(text).not.toContain(token);
});

test("behind a trusted proxy its X-Request-Id is kept; METRICS=true serves /metrics on the main port; LOG_LEVEL=debug shows the health checks", async () => {
  test.setTimeout(120_000);
  wipeDataDir(OBSERVED);
  server = await startServer(OBSERVED, { METRICS: "true", TRUST_PROXY: "true", LOG_LEVEL: "debug" });
  const base = OBSERVED.url;

  const proxied = await fetch(`${base}/healthz`, { headers: { "x-request-id": "proxy-0123456789", "x-forwarded-for": "203.0.113.9" } });
  expect(proxied.status).toBe(200);
  expect(proxied.headers.get("x-request-id")).toBe("proxy-0123456789");
  expect(await accessLineOf(server, proxied)).toMatchObject({ level: "debug", route: "/healthz", reqId: "proxy-0123456789", client: "203.0.113.9" });
  const implausible = await fetch(`${base}/api/stats`, { headers: { "x-request-id": "not an id; drop table" } });
  expect(implausible.headers.get("x-request-id")).toMatch(UUID);

  const scraped = await fetch(`${base}/metrics`);
  expect(scraped.status).toBe(200);
  const text = await scraped.text();
  expect(sample(text, 'artdag_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
  expect(sample(text, "artdag_database_up")).toBe(1);
  expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
  // Nothing listens on the metrics port when METRICS_PORT is not given.
  await expect(fetch(metricsUrl)).rejects.toThrow();
});

test("by default: no /metrics anywhere, and the health checks leave no access line at info", async () => {
  test.setTimeout(120_000);
  wipeDataDir(OBSERVED);
  server = await startServer(OBSERVED);
  const health = await fetch(`${OBSERVED.url}/healthz`);
  expect(health.status).toBe(200);
  const stats = await fetch(`${OBSERVED.url}/api/stats`);
  await accessLineOf(server, stats);
  expect(accessLines(server).map((e) => e.route)).not.toContain("/healthz");
  expect((await fetch(`${OBSERVED.url}/metrics`)).status).toBe(404);
});
