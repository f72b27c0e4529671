import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeFetch, type SafeFetchOptions } from "./fetch";
import type { ResolveHost } from "./host-guard";

const FIVE_MIB = 5 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

let server: http.Server;
let base: string;
let port: number;
const seen: string[] = [];
/** The 5 MiB stream of /huge: bytes handed to the socket, whether it ran to the end, when it closed. */
const huge = { sent: 0, finished: false, closed: Promise.resolve() };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    seen.push(`${req.method} ${path}`);
    if (path === "/ok") {
      res.writeHead(200, { "content-type": "text/plain", "x-probe": "yes" }).end("hello");
    } else if (path === "/hang") {
      // Never answers.
    } else if (path === "/huge") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      huge.sent = 0;
      huge.finished = false;
      huge.closed = once(res, "close").then(() => undefined);
      // Paced so the whole body takes ~800 ms: a client that stops early is visible.
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        if (huge.sent >= FIVE_MIB) {
          clearInterval(timer);
          huge.finished = true;
          return res.end();
        }
        res.write(CHUNK);
        huge.sent += CHUNK.length;
      }, 10);
      res.on("close", () => clearInterval(timer));
    } else if (path === "/declared-large") {
      res.writeHead(200, { "content-length": "1000" }).end(Buffer.alloc(1000));
    } else if (path === "/redirect-same") {
      res.writeHead(302, { location: "/ok" }).end();
    } else if (path === "/redirect-other-host") {
      res.writeHead(302, { location: `http://localhost:${port}/ok` }).end();
    } else if (path === "/redirect-loop") {
      res.writeHead(302, { location: "/redirect-loop" }).end();
    } else if (path === "/see-other") {
      res.writeHead(303, { location: "/method" }).end();
    } else if (path === "/method") {
      res.writeHead(200).end(req.method);
    } else {
      res.writeHead(404).end("nope");
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local: SafeFetchOptions = { timeoutMs: 5_000, maxBytes: 1024 * 1024, allowPrivateAddresses: true };
const text = (body: Uint8Array) => new TextDecoder().decode(body);

describe("safeFetch", () => {
  it("answers status, headers and the body", async () => {
    const result = await safeFetch(`${base}/ok`, local);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.status).toBe(200);
    expect(result.headers.get("x-probe")).toBe("yes");
    expect(text(result.body)).toBe("hello");
    expect(result.url).toBe(`${base}/ok`);
  });

  it("answers a 404 as ok: the caller judges statuses", async () => {
    const result = await safeFetch(`${base}/missing`, local);
    expect(result).toMatchObject({ ok: true, status: 404 });
  });

  it("fails with timeout when the server never answers, about when the deadline passes", async () => {
    const started = Date.now();
    const result = await safeFetch(`${base}/hang`, { ...local, timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    if (!result.ok) expect(result.message).toContain("300 ms");
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1_000);
  });

  it("fails with timeout even when the fetch implementation ignores the abort signal", async () => {
    const started = Date.now();
    const result = await safeFetch(`${base}/ok`, { ...local, timeoutMs: 200, fetchImpl: () => new Promise<Response>(() => {}) });
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("fails with too_large past maxBytes and stops reading a 5 MiB stream early", async () => {
    const started = Date.now();
    const result = await safeFetch(`${base}/huge`, { ...local, maxBytes: 100 * 1024 });
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
    expect(Date.now() - started).toBeLessThan(500);
    await huge.closed;
    expect(huge.finished).toBe(false);
    expect(huge.sent).toBeLessThan(FIVE_MIB / 2);
  });

  it("fails with too_large on a Content-Length past maxBytes without reading the body", async () => {
    const result = await safeFetch(`${base}/declared-large`, { ...local, maxBytes: 10 });
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
  });

  it("accepts a body of exactly maxBytes", async () => {
    const result = await safeFetch(`${base}/declared-large`, { ...local, maxBytes: 1000 });
    expect(result.ok && result.body.byteLength).toBe(1000);
  });

  it("refuses loopback literals and names resolving to loopback unless allowed, without a request", async () => {
    const before = seen.length;
    for (const url of [`${base}/ok`, `http://localhost:${port}/ok`, `http://[::1]:${port}/ok`, `http://2130706433:${port}/ok`]) {
      const result = await safeFetch(url, { ...local, allowPrivateAddresses: false });
      expect(result, url).toMatchObject({ ok: false, reason: "private_address" });
    }
    expect(seen.length).toBe(before);
    const allowed = await safeFetch(`http://localhost:${port}/ok`, { ...local, allowPrivateAddresses: true });
    expect(allowed).toMatchObject({ ok: true, status: 200 });
  });

  it("refuses a host when any of its addresses is private", async () => {
    const resolveHost: ResolveHost = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    const result = await safeFetch(`http://mixed.example:${port}/ok`, { ...local, allowPrivateAddresses: false, resolveHost });
    expect(result).toMatchObject({ ok: false, reason: "private_address" });
    if (!result.ok) expect(result.message).toContain("10.0.0.7");
  });

  it("re-checks the address at connect time (DNS rebinding: public first, loopback second)", async () => {
    const before = seen.length;
    let calls = 0;
    const resolveHost: ResolveHost = async () => {
      calls += 1;
      return [{ address: calls === 1 ? "93.184.216.34" : "127.0.0.1", family: 4 }];
    };
    const result = await safeFetch(`http://rebind.example:${port}/ok`, { ...local, allowPrivateAddresses: false, resolveHost });
    expect(result).toMatchObject({ ok: false, reason: "private_address" });
    expect(calls).toBe(2);
    expect(seen.length).toBe(before);
  });

  it("follows a same-origin redirect", async () => {
    const result = await safeFetch(`${base}/redirect-same`, local);
    expect(result).toMatchObject({ ok: true, status: 200, url: `${base}/ok` });
    expect(result.ok && text(result.body)).toBe("hello");
  });

  it("refuses a redirect to another host", async () => {
    const before = seen.length;
    const result = await safeFetch(`${base}/redirect-other-host`, local);
    expect(result).toMatchObject({ ok: false, reason: "redirect_refused" });
    expect(seen.slice(before)).toEqual(["GET /redirect-other-host"]);
  });

  it("refuses more than maxRedirects redirects", async () => {
    const before = seen.length;
    const result = await safeFetch(`${base}/redirect-loop`, { ...local, maxRedirects: 2 });
    expect(result).toMatchObject({ ok: false, reason: "redirect_refused" });
    expect(seen.length - before).toBe(3);
  });

  it("continues a POST answered 303 as a GET", async () => {
    const result = await safeFetch(`${base}/see-other`, { ...local, method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    expect(result.ok && text(result.body)).toBe("GET");
  });

  it("fails with bad_url for an unparsable URL and for other schemes", async () => {
    for (const url of ["not a url", "ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http://user:pw@example.com/"]) {
      const result = await safeFetch(url, local);
      expect(result, url).toMatchObject({ ok: false, reason: "bad_url" });
    }
  });

  it("fails with network when nothing listens", async () => {
    const idle = http.createServer();
    idle.listen(0, "127.0.0.1");
    await once(idle, "listening");
    const idlePort = (idle.address() as AddressInfo).port;
    await new Promise((resolve) => idle.close(resolve));
    const result = await safeFetch(`http://127.0.0.1:${idlePort}/`, local);
    expect(result).toMatchObject({ ok: false, reason: "network" });
  });
});
