// The front door's response cache (issue #20, design/serving.md §2) on two replicas of the built app
// sharing one PostgreSQL database: public documents answered from memory (`x-artdag-cache: hit`, a
// header only the cache's own answer carries, so the request never entered Next), a change through
// one replica purging the other's copy through LISTEN/NOTIFY within a second, and nothing answered
// to a request with credentials or to a page request ever stored.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { query } from "./support/pg-instance";
import { expect, test } from "@playwright/test";
import { bearer, json, register, uniqueUsername } from "./support/api";
import { NGINX, startCachingProxy } from "./support/nginx";
import { CACHED_A, CACHED_B, CACHING_PROXY_PORT, NO_RATE_LIMITS } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

const adminUrl = process.env.TEST_DATABASE_URL?.trim() || "postgresql://postgres@127.0.0.1:5432/postgres";
const database = `artdag_e2e_cache_${randomBytes(6).toString("hex")}`;
const AP = { accept: "application/activity+json" };
/**
 * max-age of the public documents here: short, so the nginx test sees its copy expire, and still
 * long enough that the purge tests cannot pass by mere expiry (their entries are under a second old).
 */
const MAX_AGE_SECONDS = 5;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET with exactly these headers (no client of ours adds Accept-Encoding or cookies). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Asks until `ok` holds, for at most `ms` (the bound the issue states); resolves with the last answer. */
async function within(ms: number, ask: () => Promise<Answer>, ok: (a: Answer) => boolean): Promise<{ answer: Answer; elapsed: number }> {
  const start = Date.now();
  for (;;) {
    const answer = await ask();
    const elapsed = Date.now() - start;
    if (ok(answer) || elapsed > ms) return { answer, elapsed };
    // Poll again shortly; the bound is `ms`, not this pause.
    await new Promise((r) => setTimeout(r, 10));
  }
}

test.describe("the response cache across two replicas on one PostgreSQL", () => {
  test.describe.configure({ mode: "serial" });
  let a: SpawnedServer | undefined;
  let b: SpawnedServer | undefined;
  let username: string;
  let token: string;

  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(180_000);
    await query(adminUrl, `CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    wipeDataDir(CACHED_A);
    // Both answer for A's public host; the second starts once the first has migrated the database.
    const env = { DATABASE_URL: url.toString(), ARTDAG_DOMAIN: `localhost:${CACHED_A.port}`, PUBLIC_CACHE_SECONDS: String(MAX_AGE_SECONDS), ...NO_RATE_LIMITS };
    a = await startServer(CACHED_A, env);
    b = await startServer(CACHED_B, env);
    const request = await playwright.request.newContext({ baseURL: CACHED_A.url });
    username = uniqueUsername("cached");
    token = (await register(request, username)).access_token;
    await request.dispose();
  });

  test.afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await query(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  test("the actor, WebFinger and NodeInfo come from memory the second time, on each replica, byte for byte", async () => {
    const paths: [string, Record<string, string>][] = [
      [`/users/${username}`, AP],
      [`/users/${username}`, { accept: "application/json" }],
      [`/.well-known/webfinger?resource=acct:${username}@localhost:${CACHED_A.port}`, {}],
      ["/nodeinfo/2.1", {}],
      ["/.well-known/nodeinfo", {}],
    ];
    for (const server of [CACHED_A, CACHED_B]) {
      for (const [path, headers] of paths) {
        const first = await get(server.url, path, headers);
        expect(first.status, `${server.url}${path}`).toBe(200);
        expect(first.headers["cache-control"], path).toBe(`public, max-age=${MAX_AGE_SECONDS}`);
        expect(first.headers.etag, path).toMatch(/^"[A-Za-z0-9_-]+"$/);
        expect(first.headers["x-artdag-cache-tags"], path).toBeUndefined();
        const second = await get(server.url, path, headers);
        expect(second.headers["x-artdag-cache"], `${server.url}${path}`).toBe("hit");
        expect(second.body.equals(first.body), path).toBe(true);
        expect(second.headers.etag).toBe(first.headers.etag);
        const notModified = await get(server.url, path, { ...headers, "if-none-match": String(first.headers.etag) });
        expect(notModified.status, path).toBe(304);
        expect(notModified.headers["x-artdag-cache"]).toBe("hit");
      }
    }
    // The two representations of the actor are kept apart.
    const actor = JSON.parse((await get(CACHED_B.url, `/users/${username}`, AP)).body.toString()) as { type: string };
    const profile = JSON.parse((await get(CACHED_B.url, `/users/${username}`, { accept: "application/json" })).body.toString()) as { username: string };
    expect(actor.type).toBe("Person");
    expect(profile.username).toBe(username);
  });

  test("a gzip copy for clients that accept it", async () => {
    await get(CACHED_B.url, `/users/${username}`, { ...AP, "accept-encoding": "gzip" });
    const zipped = await get(CACHED_B.url, `/users/${username}`, { ...AP, "accept-encoding": "gzip" });
    expect(zipped.headers["x-artdag-cache"]).toBe("hit");
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
  });

  test("a new asset registered through A reaches B's outbox, NodeInfo and profile within a second", async () => {
    const outbox = `/users/${username}/outbox?page=true`;
    const before = await get(CACHED_B.url, outbox, AP);
    expect((await get(CACHED_B.url, outbox, AP)).headers["x-artdag-cache"]).toBe("hit");
    const nodeinfo = JSON.parse((await get(CACHED_B.url, "/nodeinfo/2.1")).body.toString()) as { usage: { localPosts: number } };
    expect((await get(CACHED_B.url, "/nodeinfo/2.1")).headers["x-artdag-cache"]).toBe("hit");
    const profile = () => get(CACHED_B.url, `/users/${username}`, { accept: "application/json" });
    const assets = (x: Answer) => (JSON.parse(x.body.toString()) as { asset_count: number }).asset_count;
    const assetsBefore = assets(await profile());
    expect((await profile()).headers["x-artdag-cache"]).toBe("hit");

    const name = uniqueUsername("cached-asset");
    const res = await fetch(`${CACHED_A.url}/assets`, {
      method: "POST",
      headers: { ...json, ...bearer(token) },
      body: JSON.stringify({ name, content_hash: randomBytes(32).toString("hex"), asset_type: "image" }),
    });
    expect(res.status, await res.clone().text()).toBe(201);

    const changed = await within(
      1000,
      () => get(CACHED_B.url, outbox, AP),
      (x) => x.body.toString().includes(name),
    );
    expect(changed.answer.body.toString(), `B still served the old outbox page after ${changed.elapsed} ms`).toContain(name);
    expect(changed.answer.body.equals(before.body)).toBe(false);
    const counted = await within(
      1000,
      () => get(CACHED_B.url, "/nodeinfo/2.1"),
      (x) => JSON.parse(x.body.toString()).usage.localPosts === nodeinfo.usage.localPosts + 1,
    );
    expect((JSON.parse(counted.answer.body.toString()) as { usage: { localPosts: number } }).usage.localPosts).toBe(nodeinfo.usage.localPosts + 1);
    const recounted = await within(1000, profile, (x) => assets(x) === assetsBefore + 1);
    expect(assets(recounted.answer)).toBe(assetsBefore + 1);
    // The writer's own replica has it at once.
    expect((await get(CACHED_A.url, outbox, AP)).body.toString()).toContain(name);
    // And it is cached again.
    expect((await get(CACHED_B.url, outbox, AP)).headers["x-artdag-cache"]).toBe("hit");
  });

  test("an actor that was 404 is found once the account exists (a 404 is never cached)", async ({ playwright }) => {
    const newcomer = uniqueUsername("newcomer");
    expect((await get(CACHED_B.url, `/users/${newcomer}`, AP)).status).toBe(404);
    expect((await get(CACHED_B.url, `/users/${newcomer}`, AP)).headers["x-artdag-cache"]).toBe("miss");
    const request = await playwright.request.newContext({ baseURL: CACHED_A.url });
    await register(request, newcomer);
    await request.dispose();
    expect((await get(CACHED_B.url, `/users/${newcomer}`, AP)).status).toBe(200);
  });

  test("a request with Cookie or Authorization is never answered from the cache, and its answer never stored", async () => {
    // A URL nobody fetched anonymously yet: fetched only with credentials, it must stay uncached.
    const path = `/users/${username}/followers?page=true`;
    const withCookie = await get(CACHED_B.url, path, { ...AP, cookie: "authjs.session-token=whatever" });
    const withAuthorization = await get(CACHED_B.url, path, { ...AP, ...bearer(token) });
    expect(withCookie.status).toBe(200);
    expect(withAuthorization.status).toBe(200);
    expect(withCookie.headers["x-artdag-cache"]).toBeUndefined();
    expect(withAuthorization.headers["x-artdag-cache"]).toBeUndefined();
    expect((await get(CACHED_B.url, path, AP)).headers["x-artdag-cache"]).toBe("miss");
    // Once cached for anonymous clients, credentials still go to the app.
    expect((await get(CACHED_B.url, path, AP)).headers["x-artdag-cache"]).toBe("hit");
    expect((await get(CACHED_B.url, path, { ...AP, cookie: "a=b" })).headers["x-artdag-cache"]).toBeUndefined();
    expect((await get(CACHED_B.url, path, { ...AP, ...bearer(token) })).headers["x-artdag-cache"]).toBeUndefined();
  });

  test("a page request (Accept: text/html) is never cached", async () => {
    for (let i = 0; i < 2; i++) {
      const page = await get(CACHED_B.url, `/users/${username}`, { accept: "text/html" });
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.headers["x-artdag-cache"]).toBeUndefined();
      expect(page.headers["cache-control"]).not.toMatch(/public/);
    }
  });

  test("a caching nginx in front of both replicas serves the actor from its cache, and the new one within max-age of a change", async () => {
    test.skip(!NGINX, "nginx is not installed");
    test.setTimeout(60_000);
    const proxy = await startCachingProxy({ port: CACHING_PROXY_PORT, upstreams: [CACHED_A.url, CACHED_B.url] });
    try {
      const path = `/users/${username}`;
      const plain = { accept: "application/json" };
      const assets = (x: Answer) => (JSON.parse(x.body.toString()) as { asset_count: number }).asset_count;
      const first = await get(proxy.url, path, plain);
      expect(first.status, proxy.output()).toBe(200);
      expect(first.headers["x-cache-status"]).toBe("MISS");
      const cached = await get(proxy.url, path, plain);
      // nginx answered from its own cache: no replica was asked.
      expect(cached.headers["x-cache-status"]).toBe("HIT");
      expect(cached.body.equals(first.body)).toBe(true);
      // Vary: Accept — the ActivityPub actor is another entry, cached on its own.
      expect((await get(proxy.url, path, AP)).headers["x-cache-status"]).toBe("MISS");
      const actor = await get(proxy.url, path, AP);
      expect(actor.headers["x-cache-status"]).toBe("HIT");
      expect((JSON.parse(actor.body.toString()) as { type: string }).type).toBe("Person");
      // Credentials pass by the cache.
      expect((await get(proxy.url, path, { ...plain, ...bearer(token) })).headers["x-cache-status"]).toBe("BYPASS");

      const res = await fetch(`${CACHED_A.url}/assets`, {
        method: "POST",
        headers: { ...json, ...bearer(token) },
        body: JSON.stringify({ name: uniqueUsername("proxied-asset"), content_hash: randomBytes(32).toString("hex"), asset_type: "image" }),
      });
      expect(res.status).toBe(201);
      // nginx cannot be told of the change: max-age (plus a moment for the request itself) bounds it.
      const bound = (MAX_AGE_SECONDS + 2) * 1000;
      const refreshed = await within(
        bound,
        () => get(proxy.url, path, plain),
        (x) => assets(x) === assets(first) + 1,
      );
      expect(assets(refreshed.answer), `nginx still served the old document after ${refreshed.elapsed} ms`).toBe(assets(first) + 1);
      expect(["EXPIRED", "MISS"]).toContain(refreshed.answer.headers["x-cache-status"]);
      expect((await get(proxy.url, path, plain)).headers["x-cache-status"]).toBe("HIT");
    } finally {
      await proxy.stop();
    }
  });
});
