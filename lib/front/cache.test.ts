// The response cache inside a real front door on a loopback node:http server, with a handler in
// Next's place that answers the way Next does (headers set one by one, the body written in chunks)
// and counts what reaches it: hits never do.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CACHE_TAGS_HEADER, publicJson } from "@/lib/http";
import { CACHE_STATUS_HEADER, createFrontDoor, createResponseCache, type ResponseCache } from "./index";

interface Answer {
  status?: number;
  body: string;
  headers: Record<string, string | string[]>;
}

interface Harness {
  port: number;
  cache: ResponseCache;
  /** Requests that reached the handler, by URL. */
  reached: string[];
  /** What the handler answers next, per negotiated URL. */
  answers: Map<string, Answer>;
  get(path: string, headers?: Record<string, string>, method?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(() => r(null)));
  }
});

/** A public answer as the routes make it (lib/http publicJson), headers flattened for the handler. */
async function publicAnswer(body: unknown, tags: string[], extra: Record<string, string> = {}): Promise<Answer> {
  const res = publicJson(body, { req: new Request("http://x/"), maxAge: 60, tags, headers: extra });
  return { body: await res.text(), headers: Object.fromEntries(res.headers) };
}

async function harness(maxBytes = 1024 * 1024): Promise<Harness> {
  const cache = createResponseCache({ maxBytes });
  const reached: string[] = [];
  const answers = new Map<string, Answer>();
  const front = createFrontDoor({
    config: { trustProxy: false, scheme: "http" },
    logError: () => {},
    cache,
    handle: async (req, res) => {
      reached.push(req.url ?? "");
      const answer = answers.get(req.url ?? "") ?? { status: 404, body: '{"error":"not_found"}', headers: { "content-type": "application/json" } };
      res.statusCode = answer.status ?? 200;
      for (const [name, value] of Object.entries(answer.headers)) res.appendHeader(name, value);
      // Next streams the body in chunks, without Content-Length.
      const half = Math.floor(answer.body.length / 2);
      res.write(answer.body.slice(0, half));
      await new Promise((r) => setImmediate(r));
      res.end(Buffer.from(answer.body.slice(half)));
    },
  });
  const server = http.createServer(front.listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  const get: Harness["get"] = (path, headers = {}, method = "GET") =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path, method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
  return { port, cache, reached, answers, get };
}

const ACTOR = { id: "http://x/users/alice", type: "Person", preferredUsername: "alice", summary: "x".repeat(400) };

describe("the front door's response cache", () => {
  it("answers a public document from memory the second time, byte for byte, without reaching the app", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, ["object:abc"]));
    const first = await h.get("/objects/abc");
    const second = await h.get("/objects/abc");
    expect(first.status).toBe(200);
    expect(first.headers[CACHE_STATUS_HEADER]).toBe("miss");
    expect(second.status).toBe(200);
    expect(second.headers[CACHE_STATUS_HEADER]).toBe("hit");
    expect(second.body.equals(first.body)).toBe(true);
    expect(JSON.parse(second.body.toString())).toEqual(ACTOR);
    expect(h.reached).toEqual(["/objects/abc"]);
    for (const name of ["etag", "cache-control", "content-type"]) expect(second.headers[name]).toBe(first.headers[name]);
    expect(second.headers["content-length"]).toBe(String(first.body.byteLength));
    expect(second.headers.vary).toContain("Accept-Encoding");
    // The security headers are the front door's own, fresh on every answer.
    expect(second.headers["content-security-policy"]).toBeDefined();
    expect(second.headers["content-security-policy"]).not.toBe(first.headers["content-security-policy"]);
    expect(second.headers["x-request-id"]).toBeDefined();
  });

  it("never sends the cache-tags header to a client", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, ["object:abc", "user:alice"]));
    const miss = await h.get("/objects/abc");
    const hit = await h.get("/objects/abc");
    expect(miss.headers[CACHE_TAGS_HEADER]).toBeUndefined();
    expect(hit.headers[CACHE_TAGS_HEADER]).toBeUndefined();
  });

  it("answers a conditional GET with 304 from memory (If-None-Match), and HEAD without a body", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, []));
    const first = await h.get("/objects/abc");
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const conditional = await h.get("/objects/abc", { "if-none-match": etag });
    expect(conditional.status).toBe(304);
    expect(conditional.body.byteLength).toBe(0);
    expect(conditional.headers.etag).toBe(etag);
    expect(conditional.headers[CACHE_STATUS_HEADER]).toBe("hit");
    expect(conditional.headers["content-type"]).toBeUndefined();
    expect(conditional.headers["cache-control"]).toBe(first.headers["cache-control"]);
    expect(conditional.headers["content-security-policy"]).toContain("'nonce-");
    const other = await h.get("/objects/abc", { "if-none-match": '"something-else"' });
    expect(other.status).toBe(200);
    const head = await h.get("/objects/abc", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(first.body.byteLength));
    expect(head.body.byteLength).toBe(0);
    expect(h.reached).toEqual(["/objects/abc"]);
  });

  it("keeps a gzip copy and serves it to clients that accept gzip (its own ETag, 304 for either)", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, []));
    const identity = await h.get("/objects/abc");
    const zipped = await h.get("/objects/abc", { "accept-encoding": "gzip, deflate, br" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.body.byteLength).toBeLessThan(identity.body.byteLength);
    expect(gunzipSync(zipped.body).equals(identity.body)).toBe(true);
    expect(zipped.headers.etag).not.toBe(identity.headers.etag);
    expect(zipped.headers.vary).toContain("Accept-Encoding");
    const refused = await h.get("/objects/abc", { "accept-encoding": "gzip;q=0, identity" });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    const notModified = await h.get("/objects/abc", { "accept-encoding": "gzip", "if-none-match": String(zipped.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(h.reached).toHaveLength(1);
  });

  it("keeps the ActivityPub and the plain JSON representations of one URL apart", async () => {
    const h = await harness();
    h.answers.set("/api/users/alice", await publicAnswer(ACTOR, ["user:alice"], {}));
    const ap = { accept: "application/activity+json" };
    await h.get("/users/alice", ap);
    await h.get("/users/alice", { accept: "application/json" });
    expect(h.reached).toEqual(["/api/users/alice", "/api/users/alice"]);
    expect((await h.get("/users/alice", { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' })).headers[CACHE_STATUS_HEADER]).toBe(
      "hit",
    );
    expect((await h.get("/users/alice", {})).headers[CACHE_STATUS_HEADER]).toBe("hit");
    expect(h.reached).toHaveLength(2);
  });

  it("never answers nor stores a request with Cookie or Authorization", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, []));
    await h.get("/objects/abc", { cookie: "session=1" });
    await h.get("/objects/abc", { authorization: "Bearer x" });
    expect(h.cache.stats().entries).toBe(0);
    await h.get("/objects/abc");
    const withCookie = await h.get("/objects/abc", { cookie: "session=1" });
    const withAuthorization = await h.get("/objects/abc", { authorization: "Moo-Auth-1 keyId=x" });
    expect(withCookie.headers[CACHE_STATUS_HEADER]).toBeUndefined();
    expect(withAuthorization.headers[CACHE_STATUS_HEADER]).toBeUndefined();
    expect(h.reached).toHaveLength(5);
  });

  it("never stores a page request, an HTML answer, an error, a Set-Cookie or anything not public", async () => {
    const h = await harness();
    const doc = await publicAnswer(ACTOR, []);
    h.answers.set("/objects/page", doc);
    h.answers.set("/objects/html", { ...doc, headers: { ...doc.headers, "content-type": "text/html; charset=utf-8" } });
    h.answers.set("/objects/gone", { ...doc, status: 404 });
    h.answers.set("/objects/cookie", { ...doc, headers: { ...doc.headers, "set-cookie": "a=b" } });
    h.answers.set("/objects/private", { ...doc, headers: { ...doc.headers, "cache-control": "private, no-store" } });
    h.answers.set("/objects/weak", { ...doc, headers: { ...doc.headers, etag: 'W/"abc"' } });
    h.answers.set("/objects/untagged", { ...doc, headers: { "content-type": "application/json", "cache-control": "public, max-age=60" } });
    h.answers.set("/objects/stale", { ...doc, headers: { ...doc.headers, "cache-control": "public, max-age=0" } });
    await h.get("/objects/page", { accept: "text/html,application/xhtml+xml" });
    await h.get("/objects/page", { rsc: "1" });
    for (const path of ["/objects/html", "/objects/gone", "/objects/cookie", "/objects/private", "/objects/weak", "/objects/untagged", "/objects/stale"]) {
      await h.get(path);
    }
    expect(h.cache.stats().entries).toBe(0);
    expect((await h.get("/objects/page", { accept: "text/html" })).headers[CACHE_STATUS_HEADER]).toBeUndefined();
  });

  it("purges by tag: the entries of a tag go at once, others stay", async () => {
    const h = await harness();
    h.answers.set("/api/users/alice", await publicAnswer(ACTOR, ["user:alice"]));
    h.answers.set("/users/alice/outbox?page=true", await publicAnswer({ page: 1 }, ["outbox:alice"]));
    h.answers.set("/nodeinfo/2.1", await publicAnswer({ users: 1 }, ["nodeinfo"]));
    for (const path of ["/users/alice", "/users/alice/outbox?page=true", "/nodeinfo/2.1"]) await h.get(path);
    expect(h.cache.stats().entries).toBe(3);
    h.answers.set("/users/alice/outbox?page=true", await publicAnswer({ page: 2 }, ["outbox:alice"]));
    expect(h.cache.purge(["outbox:alice", "nodeinfo", "object:unknown"])).toBe(2);
    const outbox = await h.get("/users/alice/outbox?page=true");
    expect(outbox.headers[CACHE_STATUS_HEADER]).toBe("miss");
    expect(JSON.parse(outbox.body.toString())).toEqual({ page: 2 });
    expect((await h.get("/users/alice")).headers[CACHE_STATUS_HEADER]).toBe("hit");
    expect((await h.get("/users/alice/outbox?page=true")).headers[CACHE_STATUS_HEADER]).toBe("hit");
  });

  it("does not store an answer that was being computed when a purge of its tags arrived", async () => {
    const h = await harness();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const front = createFrontDoor({
      config: { trustProxy: false, scheme: "http" },
      cache: h.cache,
      handle: async (_req, res) => {
        const answer = await publicAnswer({ old: true }, ["user:bob"]);
        for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
        await gate;
        res.end(answer.body);
      },
    });
    const server = http.createServer(front.listener);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const pending = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/objects/bob`);
    await new Promise((r) => setTimeout(r, 50));
    h.cache.purge(["user:bob"]);
    release();
    expect((await pending).status).toBe(200);
    expect(h.cache.stats().entries).toBe(0);
  });

  it("stays within its size in bytes, dropping the least recently used", async () => {
    const h = await harness(8 * 1024);
    for (let i = 0; i < 20; i++) {
      h.answers.set(`/objects/${i}`, await publicAnswer({ i, filler: "y".repeat(1000) }, []));
      await h.get(`/objects/${i}`);
      expect(h.cache.stats().bytes).toBeLessThanOrEqual(8 * 1024);
    }
    expect(h.cache.stats().entries).toBeGreaterThan(1);
    expect(h.cache.stats().entries).toBeLessThan(20);
    expect((await h.get("/objects/19")).headers[CACHE_STATUS_HEADER]).toBe("hit");
    expect((await h.get("/objects/0")).headers[CACHE_STATUS_HEADER]).toBe("miss");
  });

  it("when off (0 bytes) stores nothing but still strips the cache tags", async () => {
    const h = await harness(0);
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, ["object:abc"]));
    const first = await h.get("/objects/abc");
    const second = await h.get("/objects/abc");
    expect(first.headers[CACHE_TAGS_HEADER]).toBeUndefined();
    expect(second.headers[CACHE_STATUS_HEADER]).toBeUndefined();
    expect(h.reached).toHaveLength(2);
  });

  it("lets a client that asks for revalidation (no-cache) reach the app, whose answer replaces the copy", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer({ v: 1 }, []));
    await h.get("/objects/abc");
    h.answers.set("/objects/abc", await publicAnswer({ v: 2 }, []));
    const revalidated = await h.get("/objects/abc", { "cache-control": "no-cache" });
    expect(JSON.parse(revalidated.body.toString())).toEqual({ v: 2 });
    expect(JSON.parse((await h.get("/objects/abc")).body.toString())).toEqual({ v: 2 });
    expect(h.reached).toHaveLength(2);
  });

  it("serves from memory only while the answer is fresh by RFC 9111, its Age counted on from the app's", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const h = await harness();
      // max-age=60 and already 20 s old when it left the app: 40 s of freshness left.
      h.answers.set("/objects/abc", await publicAnswer({ v: 1 }, [], { age: "20" }));
      expect((await h.get("/objects/abc")).headers[CACHE_STATUS_HEADER]).toBe("miss");
      vi.setSystemTime(Date.now() + 39_000);
      const late = await h.get("/objects/abc");
      expect(late.headers[CACHE_STATUS_HEADER]).toBe("hit");
      expect(late.headers.age).toBe("59");
      expect(h.reached).toHaveLength(1);
      h.answers.set("/objects/abc", await publicAnswer({ v: 2 }, []));
      vi.setSystemTime(Date.now() + 2_000);
      const stale = await h.get("/objects/abc");
      expect(stale.headers[CACHE_STATUS_HEADER]).toBe("miss");
      expect(JSON.parse(stale.body.toString())).toEqual({ v: 2 });
      const fresh = await h.get("/objects/abc");
      expect(fresh.headers[CACHE_STATUS_HEADER]).toBe("hit");
      expect(fresh.headers.age).toBe("0");
      expect(JSON.parse(fresh.body.toString())).toEqual({ v: 2 });
      expect(h.reached).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("asks the app every time for an answer that must be revalidated (must-revalidate), however fresh", async () => {
    const h = await harness();
    const doc = await publicAnswer(ACTOR, []);
    h.answers.set("/objects/abc", { ...doc, headers: { ...doc.headers, "cache-control": "public, max-age=60, must-revalidate" } });
    await h.get("/objects/abc");
    const second = await h.get("/objects/abc");
    expect(second.status).toBe(200);
    expect(second.headers[CACHE_STATUS_HEADER]).toBe("miss");
    expect(JSON.parse(second.body.toString())).toEqual(ACTOR);
    expect(h.reached).toHaveLength(2);
  });

  it("honours a client's max-age=0 and Pragma: no-cache on a fresh entry (the app answers)", async () => {
    const h = await harness();
    h.answers.set("/objects/abc", await publicAnswer(ACTOR, []));
    await h.get("/objects/abc");
    expect((await h.get("/objects/abc", { "cache-control": "max-age=0" })).headers[CACHE_STATUS_HEADER]).toBe("miss");
    expect((await h.get("/objects/abc", { pragma: "no-cache" })).headers[CACHE_STATUS_HEADER]).toBe("miss");
    expect((await h.get("/objects/abc", { "cache-control": "max-stale=5" })).headers[CACHE_STATUS_HEADER]).toBe("hit");
    expect(h.reached).toHaveLength(3);
  });
});
