// The front door on a real node:http server on loopback, with a recording handler in Next's place:
// what reaches the handler (URL, headers, body), what never does (oversized bodies, forged
// forwarded headers), and the drain.
import http, { type IncomingMessage } from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http";
import {
  answerClientError,
  createFrontDoor,
  FRONT_MAX_BODY_BYTES,
  isPageRequest,
  JSON_TWINS,
  negotiatedPath,
  type AnsweredRequest,
  type FrontDoor,
  type FrontDoorOptions,
} from "./index";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface Harness {
  port: number;
  seen: Seen[];
  front: FrontDoor;
  server: http.Server;
  /** Releases requests held by `hold` (the handler waits for it before answering). */
  release(): void;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(() => r(null)));
  }
});

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function harness(
  config: { trustProxy: boolean; scheme: "http" | "https" } = { trustProxy: false, scheme: "http" },
  hold = false,
  extra: Pick<FrontDoorOptions, "verifiedToken" | "onAnswered" | "metrics"> = {},
): Promise<Harness> {
  const seen: Seen[] = [];
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  if (!hold) release();
  const front = createFrontDoor({
    ...extra,
    config,
    logError: () => {},
    handle: async (req, res) => {
      const body = await readAll(req);
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      await gate;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ url: req.url, bytes: body.byteLength }));
    },
  });
  const server = http.createServer(front.listener);
  server.on("clientError", answerClientError);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    front,
    server,
    release: () => {
      release();
      gate = Promise.resolve();
    },
  };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * A request with exactly these headers; `body` as a Buffer (Content-Length) or chunks (chunked,
 * written one after another). Like curl, it stops sending once an answer has come.
 */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | Buffer[],
  declaredLength?: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on("error", reject);
    });
    // The server may answer (413) and close before the whole body is written: that is the point.
    req.on("error", (err) => (answered ? undefined : reject(err)));
    if (declaredLength !== undefined) req.setHeader("content-length", String(declaredLength));
    const chunks = body === undefined ? [] : Array.isArray(body) ? body : [body];
    let i = 0;
    const next = () => {
      if (answered || req.destroyed) return;
      if (i >= chunks.length) return declaredLength === undefined ? void req.end() : undefined;
      req.write(chunks[i++], () => setImmediate(next));
    };
    next();
  });
}

describe("negotiation table", () => {
  const browser = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
  it("sends API clients to the JSON twins and pages to the pages", () => {
    expect(negotiatedPath("GET", "/assets", {})).toBe("/api/assets");
    expect(negotiatedPath("GET", "/assets", { accept: "application/json" })).toBe("/api/assets");
    expect(negotiatedPath("GET", "/users/alice", { accept: "application/activity+json" })).toBe("/api/users/alice");
    expect(negotiatedPath("GET", "/asset/x%20y", {})).toBe("/assets/x%20y");
    expect(negotiatedPath("POST", "/assets", browser)).toBe("/api/assets");
    expect(negotiatedPath("GET", "/assets", browser)).toBeNull();
    expect(negotiatedPath("GET", "/anchors", browser)).toBe("/anchors/ui");
    expect(negotiatedPath("GET", "/anchors", {})).toBeNull();
    expect(negotiatedPath("GET", "/download/client", { accept: "*/*" })).toBe("/download/artdag-client.mjs");
    expect(negotiatedPath("GET", "/nothing-shared", {})).toBeNull();
  });

  it("treats Next's own requests (RSC, prefetch, server actions) as page requests whatever their Accept", () => {
    for (const h of [{ rsc: "1" }, { "next-router-prefetch": "1", rsc: "1" }, { "next-action": "abc" }]) {
      expect(isPageRequest("GET", { accept: "*/*", ...h })).toBe(true);
      expect(negotiatedPath("GET", "/assets", { accept: "*/*", ...h })).toBeNull();
    }
    expect(negotiatedPath("POST", "/", { "next-action": "abc" })).toBeNull();
  });

  it("has a target for every twin pattern", () => {
    for (const twin of JSON_TWINS) expect(twin.target(/(.*)/.exec("x")!)).toMatch(/^\//);
  });
});

describe("the front door", () => {
  it("rewrites to the JSON twin inside the process, keeping the query", async () => {
    const h = await harness();
    const a = await send(h.port, "GET", "/assets?limit=2&tag=a%20b");
    expect(a.status).toBe(200);
    expect(h.seen[0].url).toBe("/api/assets?limit=2&tag=a%20b");
    const b = await send(h.port, "GET", "/assets?limit=2", { accept: "text/html" });
    expect(JSON.parse(b.text).url).toBe("/assets?limit=2");
  });

  it("answers 400 to a path with a malformed percent-encoding without calling the handler", async () => {
    const h = await harness();
    const a = await send(h.port, "GET", "/asset/%E0%A4%A");
    expect(a.status).toBe(400);
    expect(JSON.parse(a.text)).toEqual({ error: "invalid_request", message: "The path has a malformed percent-encoding." });
    expect(h.seen).toEqual([]);
  });

  it("answers /healthz itself", async () => {
    const h = await harness();
    const a = await send(h.port, "GET", "/healthz");
    expect([a.status, JSON.parse(a.text)]).toEqual([200, { status: "ok" }]);
    expect(h.seen).toEqual([]);
  });

  it("without a trusted proxy: the socket address, and every forwarded header a client sent is dropped", async () => {
    const h = await harness({ trustProxy: false, scheme: "https" });
    await send(h.port, "GET", "/x", {
      host: "l2.example",
      "x-forwarded-for": "6.6.6.6",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
      "x-real-ip": "6.6.6.6",
      forwarded: "for=6.6.6.6;host=evil.example",
      [CLIENT_ADDRESS_HEADER]: "6.6.6.6",
    });
    const seen = h.seen[0].headers;
    expect(seen[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(seen.host).toBe("l2.example");
    expect(seen["x-forwarded-host"]).toBe("l2.example");
    expect(seen["x-forwarded-proto"]).toBe("https");
    expect(seen["x-forwarded-for"]).toBeUndefined();
    expect(seen["x-real-ip"]).toBeUndefined();
    expect(seen.forwarded).toBeUndefined();
  });

  it("behind a trusted proxy: the address and host the nearest proxy reports (the last hop), never one a client prepended", async () => {
    const h = await harness({ trustProxy: true, scheme: "https" });
    await send(h.port, "GET", "/x", {
      host: "localhost",
      "x-forwarded-for": "6.6.6.6, 203.0.113.7",
      "x-forwarded-host": "l2.example:8443",
      "x-forwarded-proto": "https",
    });
    const seen = h.seen[0].headers;
    expect(seen[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.7");
    expect(seen.host).toBe("l2.example:8443");
    expect(seen["x-forwarded-proto"]).toBe("https");
    // A forwarded host that is not a host is ignored.
    await send(h.port, "GET", "/y", { host: "l2.example", "x-forwarded-host": "evil.example/path@x" });
    expect(h.seen[1].headers.host).toBe("l2.example");
  });

  it("passes bodies up to the limit to the handler, with and without Content-Length", async () => {
    const h = await harness();
    const exact = Buffer.alloc(FRONT_MAX_BODY_BYTES, 97);
    const a = await send(h.port, "POST", "/assets", { "content-type": "application/json" }, exact);
    expect(a.status).toBe(200);
    expect(JSON.parse(a.text)).toEqual({ url: "/api/assets", bytes: FRONT_MAX_BODY_BYTES });
    const chunks = [Buffer.from('{"a":'), Buffer.alloc(1000, 98), Buffer.from("}")];
    const b = await send(h.port, "POST", "/assets", { "transfer-encoding": "chunked" }, chunks);
    expect(b.status).toBe(200);
    expect(h.seen[1].body.toString()).toBe(Buffer.concat(chunks).toString());
    expect(h.seen[1].headers["content-length"]).toBe("1006");
    expect(h.seen[1].headers["transfer-encoding"]).toBeUndefined();
  });

  for (const [label, size] of [
    ["one byte over", FRONT_MAX_BODY_BYTES + 1],
    ["10 MiB", 10 * 1024 * 1024],
    ["100 MiB", 100 * 1024 * 1024],
  ] as const) {
    it(`refuses ${label} with 413 before the handler sees it (Content-Length, and chunked)`, async () => {
      const h = await harness();
      // Declared: answered from the header alone (only the first MiB is ever written here).
      const declared = await send(h.port, "POST", "/users/a/inbox", {}, [Buffer.alloc(Math.min(size, 1024 * 1024))], size);
      expect(declared.status).toBe(413);
      expect(declared.headers.connection).toBe("close");
      expect(JSON.parse(declared.text)).toEqual({ error: "payload_too_large", message: `The request body is larger than ${FRONT_MAX_BODY_BYTES} bytes.` });
      // Chunked: read only until the limit is passed (a few 256 KiB chunks beyond it at most).
      const chunk = Buffer.alloc(256 * 1024, 120);
      const chunks = Array.from({ length: Math.ceil(size / chunk.byteLength) }, () => chunk);
      const streamed = await send(h.port, "POST", "/assets", { "transfer-encoding": "chunked" }, chunks);
      expect(streamed.status).toBe(413);
      expect(JSON.parse(streamed.text).error).toBe("payload_too_large");
      expect(h.seen).toEqual([]);
    });
  }

  it("drains: stops accepting, lets an in-flight request finish, then closes", async () => {
    const h = await harness(undefined, true);
    const inflight = send(h.port, "POST", "/assets", { "content-type": "application/json" }, Buffer.from("{}"));
    await expect.poll(() => h.seen.length).toBe(1);
    expect(h.front.inFlight()).toBe(1);
    const drained = h.front.drain(h.server, 10_000);
    // New connections are refused at once.
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect(h.port, "127.0.0.1");
        s.once("connect", () => (s.destroy(), resolve("connected")));
        s.once("error", reject);
      }),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
    h.release();
    const answer = await inflight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ url: "/api/assets", bytes: 2 });
    expect(await drained).toEqual({ cutOff: 0 });
  });

  it("drain cuts off what outlives the deadline", async () => {
    const h = await harness(undefined, true);
    const inflight = send(h.port, "GET", "/slow").catch((err: Error) => err);
    await expect.poll(() => h.seen.length).toBe(1);
    expect(await h.front.drain(h.server, 100)).toEqual({ cutOff: 1 });
    expect(await inflight).toBeInstanceOf(Error);
  });

  it("puts the security headers on every answer, with a fresh script nonce that Next is handed on the request", async () => {
    const h = await harness();
    const first = await send(h.port, "GET", "/assets", { accept: "text/html" });
    const second = await send(h.port, "GET", "/healthz");
    for (const a of [first, second]) {
      expect(a.headers["x-content-type-options"]).toBe("nosniff");
      expect(a.headers["referrer-policy"]).toBe("same-origin");
      expect(a.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(a.headers["content-security-policy"]).not.toContain("'unsafe-inline' 'self'");
    }
    const nonceOf = (csp: string | string[] | undefined) => /'nonce-([^']+)'/.exec(String(csp))?.[1];
    expect(nonceOf(first.headers["content-security-policy"])).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonceOf(h.seen[0].headers["content-security-policy"])).toBe(nonceOf(first.headers["content-security-policy"]));
    expect(nonceOf(second.headers["content-security-policy"])).not.toBe(nonceOf(first.headers["content-security-policy"]));
    expect(String(first.headers["content-security-policy"])).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  });

  it("refuses a server action from another origin, or with a body Next cannot decode, before Next sees it", async () => {
    const h = await harness();
    const foreign = await send(
      h.port,
      "POST",
      "/login",
      { "next-action": "abc", origin: "https://evil.example", host: "l2.example", "content-type": "text/plain" },
      Buffer.from("[]"),
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text)).toMatchObject({ error: "csrf_rejected" });
    const broken = await send(h.port, "POST", "/login", { "next-action": "abc", "content-type": "text/plain" }, Buffer.from("[{,,"));
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text)).toMatchObject({ error: "malformed_json" });
    expect(h.seen).toEqual([]);
    // A good one goes on, body intact; a form posted to a route handler is the route's business.
    const ok = await send(
      h.port,
      "POST",
      "/login",
      { "next-action": "abc", origin: "http://l2.example", host: "l2.example", "content-type": "text/plain" },
      Buffer.from('[{},"$K1"]'),
    );
    expect(ok.status).toBe(200);
    expect(h.seen[0].body.toString()).toBe('[{},"$K1"]');
    const route = await send(
      h.port,
      "POST",
      "/renderers/attach",
      { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      Buffer.from("l1_server=x"),
    );
    expect(route.status).toBe(200);
    expect(h.seen[1].url).toBe("/renderers/attach");
  });

  it("answers a request line over Node's header limit with a JSON 431 the client gets to read (no reset)", async () => {
    const h = await harness();
    for (let i = 0; i < 5; i++) {
      const a = await send(h.port, "GET", `/assets?x=${"a".repeat(100_000)}`);
      expect(a.status).toBe(431);
      expect(JSON.parse(a.text)).toEqual({ error: "invalid_request", message: "The request line or headers are too large." });
    }
    expect(h.seen).toEqual([]);
  });
});

// POST /auth/verify: a held positive answer (the verifiedToken hook, lib/cache verifiedTokens in
// scripts/start.ts) is answered by the front door; everything else reaches the route with its body.
describe("the front door's request ids and report of each answer", () => {
  const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it("gives every request an id of its own, which the app and the answer share; a client's X-Request-Id is replaced", async () => {
    const h = await harness();
    const a = await send(h.port, "GET", "/x", { "x-request-id": "forged-by-client-123" });
    const b = await send(h.port, "GET", "/x");
    expect(a.headers["x-request-id"]).toMatch(ID);
    expect(b.headers["x-request-id"]).toMatch(ID);
    expect(a.headers["x-request-id"]).not.toBe(b.headers["x-request-id"]);
    expect(h.seen.map((s) => s.headers["x-request-id"])).toEqual([a.headers["x-request-id"], b.headers["x-request-id"]]);
  });

  it("behind a trusted proxy keeps the proxy's X-Request-Id, unless it is not a plausible id", async () => {
    const h = await harness({ trustProxy: true, scheme: "https" });
    const kept = await send(h.port, "GET", "/x", { "x-request-id": "nginx-0123456789abcdef" });
    expect(kept.headers["x-request-id"]).toBe("nginx-0123456789abcdef");
    expect(h.seen[0].headers["x-request-id"]).toBe("nginx-0123456789abcdef");
    const odd = await send(h.port, "GET", "/x", { "x-request-id": 'has spaces and "quotes"' });
    expect(odd.headers["x-request-id"]).toMatch(ID);
    const healthz = await send(h.port, "GET", "/healthz", { "x-request-id": "nginx-healthz-42" });
    expect(healthz.headers["x-request-id"]).toBe("nginx-healthz-42");
  });

  it("reports each answered request once: id, method, path without its query, status, duration, client", async () => {
    const answered: AnsweredRequest[] = [];
    const h = await harness(undefined, false, { onAnswered: (a) => answered.push(a) });
    const res = await send(
      h.port,
      "POST",
      "/api/things?token=secret-in-query",
      { "content-type": "application/json", authorization: "Bearer secret-token" },
      Buffer.from("{}"),
    );
    await send(h.port, "GET", "/healthz");
    await send(h.port, "GET", "/bad%zzpath");
    await expect.poll(() => answered.length).toBe(3);
    expect(answered[0]).toMatchObject({
      requestId: res.headers["x-request-id"],
      method: "POST",
      path: "/api/things",
      status: 200,
      client: "127.0.0.1",
      cached: false,
    });
    expect(answered[0].durationMs).toBeGreaterThan(0);
    expect(answered[1]).toMatchObject({ method: "GET", path: "/healthz", status: 200 });
    expect(answered[2]).toMatchObject({ method: "GET", path: "/bad%zzpath", status: 400 });
    expect(JSON.stringify(answered)).not.toContain("secret");
  });

  it("behind a trusted proxy reports the client the proxy names, for requests the app answers too", async () => {
    const answered: AnsweredRequest[] = [];
    const h = await harness({ trustProxy: true, scheme: "https" }, false, { onAnswered: (a) => answered.push(a) });
    await send(h.port, "GET", "/api/things", { "x-forwarded-for": "198.51.100.7, 203.0.113.9" });
    await send(h.port, "GET", "/healthz", { "x-forwarded-for": "203.0.113.10" });
    await expect.poll(() => answered.length).toBe(2);
    expect(answered.map((a) => [a.path, a.client])).toEqual([
      ["/api/things", "203.0.113.9"],
      ["/healthz", "203.0.113.10"],
    ]);
    expect(h.seen[0].headers[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.9");
  });

  it("reports a request whose client went away before the answer as 499", async () => {
    const answered: AnsweredRequest[] = [];
    const h = await harness(undefined, true, { onAnswered: (a) => answered.push(a) });
    const socket = net.connect(h.port, "127.0.0.1");
    socket.write("GET /slow HTTP/1.1\r\nhost: x\r\n\r\n");
    await expect.poll(() => h.seen.length).toBe(1);
    socket.destroy();
    await expect.poll(() => answered.length).toBe(1);
    expect(answered[0]).toMatchObject({ path: "/slow", status: 499 });
    h.release();
  });

  it("serves /metrics itself only when given a metrics handler; otherwise the app answers the path", async () => {
    const plain = await harness();
    await send(plain.port, "GET", "/metrics");
    expect(plain.seen.map((s) => s.url)).toEqual(["/metrics"]);
    const withMetrics = await harness(undefined, false, {
      metrics: async (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
        res.end("up 1\n");
      },
    });
    const res = await send(withMetrics.port, "GET", "/metrics");
    expect(res).toMatchObject({ status: 200, text: "up 1\n" });
    expect(res.headers["x-request-id"]).toMatch(ID);
    expect(withMetrics.seen).toEqual([]);
  });
});

describe("the front door and held /auth/verify answers", () => {
  const HELD = '{"valid":true,"active":true,"username":"alice"}';
  const asked: [string, string][] = [];
  const verifiedToken = async (token: string, l1: string) => {
    asked.push([token, l1]);
    return token === "held-token" && l1 === "https://l1.test" ? HELD : null;
  };
  const json = { "content-type": "application/json" };

  it("answers a held token itself (JSON or form, body or headers), never cacheable, marked as a hit", async () => {
    // Behind a trusted proxy, whose X-Request-Id the answer keeps.
    const h = await harness({ trustProxy: true, scheme: "http" }, false, { verifiedToken });
    const cases: [Record<string, string>, string][] = [
      [json, JSON.stringify({ token: "held-token", l1_server: "https://l1.test" })],
      [{ "content-type": "application/x-www-form-urlencoded" }, "token=held-token&l1_server=https%3A%2F%2Fl1.test"],
      [{ ...json, authorization: "Bearer held-token", "x-l1-server": "https://l1.test" }, "{}"],
      [{ ...json, authorization: "Bearer other", "x-l1-server": "https://other.test" }, JSON.stringify({ token: "held-token", l1_server: "https://l1.test" })],
    ];
    for (const [headers, body] of cases) {
      const r = await send(h.port, "POST", "/auth/verify", { ...headers, "x-request-id": "req-12345678" }, Buffer.from(body));
      expect(r.status, body).toBe(200);
      expect(r.text).toBe(HELD);
      expect(r.headers).toMatchObject({ "cache-control": "no-store", pragma: "no-cache", "x-artdag-cache": "hit", "x-request-id": "req-12345678" });
      expect(r.headers["content-type"]).toMatch(/^application\/json/);
      expect(r.headers["content-security-policy"]).toBeDefined();
    }
    expect(h.seen).toEqual([]);
  });

  it("hands everything else to the route, with the body it read", async () => {
    const h = await harness(undefined, false, { verifiedToken });
    asked.length = 0;
    const bodies: [Record<string, string>, string][] = [
      [json, JSON.stringify({ token: "unknown-token", l1_server: "https://l1.test" })],
      [json, JSON.stringify({ token: "held-token", l1_server: "https://other-l1.test" })],
      [json, JSON.stringify({ token: 42, l1_server: "https://l1.test" })],
      [json, JSON.stringify({ token: "held-token" })],
      [json, "not json"],
      [{ "content-type": "application/xml" }, JSON.stringify({ token: "held-token", l1_server: "https://l1.test" })],
      [json, JSON.stringify({ token: "held-token", l1_server: "x".repeat(2049) })],
    ];
    for (const [headers, body] of bodies) {
      const r = await send(h.port, "POST", "/auth/verify", headers, Buffer.from(body));
      expect(r.status, body).toBe(200);
      expect(r.headers["x-artdag-cache"]).toBeUndefined();
      expect(h.seen.at(-1)?.body.toString()).toBe(body);
    }
    expect(h.seen).toHaveLength(bodies.length);
    // Only the two well-formed requests were looked up.
    expect(asked).toEqual([
      ["unknown-token", "https://l1.test"],
      ["held-token", "https://other-l1.test"],
    ]);
    // A chunked body is read and handed on the same way; other paths are not looked at.
    const chunked = await send(h.port, "POST", "/auth/verify", json, [Buffer.from('{"token":"held-'), Buffer.from('token","l1_server":"https://l1.test"}')]);
    expect(chunked.text).toBe(HELD);
    await send(h.port, "POST", "/auth/verify/x", json, Buffer.from(JSON.stringify({ token: "held-token", l1_server: "https://l1.test" })));
    expect(h.seen.at(-1)?.url).toBe("/auth/verify/x");
  });
});
