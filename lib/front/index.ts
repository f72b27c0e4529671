// The front door (design/serving.md): our node:http request listener in front of Next's handler.
// Every request passes here once, before Next: its request id (a trusted proxy's X-Request-Id, or a
// new one), the client address and the forwarded headers a trusted proxy sent (and only then),
// request bodies capped while they are read, content negotiation to the JSON twins, the response
// cache of public documents, /healthz, /metrics where enabled, the drain on shutdown, and a report
// of every answered request (the access log and the request metrics). Framework-free: node:http
// types only; Next's handler is handed in.
import { randomUUID } from "node:crypto";
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Config } from "@/lib/config";
import { errorMessage, getLogger } from "@/lib/log";
import {
  CLIENT_ADDRESS_HEADER,
  contentSecurityPolicy,
  createCspNonce,
  isServerActionRequest,
  parseJsonOrForm,
  screenServerActionBody,
  screenServerActionHeaders,
  STATIC_SECURITY_HEADERS,
} from "@/lib/http";
import { CACHE_STATUS_HEADER, requestCacheKey, type ResponseCache } from "./cache";
import { hasMalformedEscape, isPagePath, negotiatedPath } from "./negotiation";

export { CACHE_STATUS_HEADER, createResponseCache, type ResponseCache } from "./cache";

export { isPageRequest, JSON_TWINS, negotiatedPath, type Twin } from "./negotiation";

export { createRouteNamer } from "./routes";

/** Largest request body on any path (product.md §9); larger ones get 413 before they are buffered. */
export const FRONT_MAX_BODY_BYTES = 1024 * 1024;

/** Headers only a reverse proxy may set; from anyone else they are dropped. */
const FORWARDED_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip"];

const HOST_VALUE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface FrontDoorOptions {
  config: Pick<Config, "trustProxy" | "scheme">;
  /** Next's request handler (or any handler in tests). */
  handle: RequestHandler;
  /** Where unexpected errors of the handler are reported. */
  logError?: (message: string, err: unknown) => void;
  maxBodyBytes?: number;
  /** Next's development server (its scripts need eval, hot reload a WebSocket). */
  dev?: boolean;
  /** The response cache of public documents (lib/front/cache); none in tests of other concerns. */
  cache?: ResponseCache;
  /**
   * The body of the answer `POST /auth/verify` gave before for this token presented by this L1 (as
   * the request names it), when it is still held and may be given again; null sends the request on.
   */
  verifiedToken?: (token: string, l1Server: string) => Promise<string | null>;
  /** Serves GET /metrics on this port (METRICS=true); without it /metrics goes to the app (a 404). */
  metrics?: RequestHandler;
  /** Told of every request once its answer has ended or its connection closed (the access log). */
  onAnswered?: (answered: AnsweredRequest) => void;
}

/** One request, as the access log and the request metrics see it: never its query, headers or body. */
export interface AnsweredRequest {
  requestId: string;
  method: string;
  /** The path as requested, without the query string (which could carry anything). */
  path: string;
  /** The answer's status; 499 when the client went away before the answer was complete. */
  status: number;
  /** From the request's arrival to the end of its answer. */
  durationMs: number;
  /** The client's address: the socket's, or a trusted proxy's X-Forwarded-For. */
  client: string;
  /** Answered from the front door's memory (response cache or held token verification). */
  cached: boolean;
}

/** `POST /auth/verify`'s body is a token and an L1 URL: a larger one goes to the route as it is. */
const VERIFY_BODY_BYTES = 16 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The token and the L1 of a `POST /auth/verify`, read as the route reads them (lib/http
 * parseJsonOrForm; `token` before the Bearer header, `l1_server` before X-L1-Server), or null
 * for anything the route would refuse or answer otherwise — that goes to the route.
 */
function verifyRequestOf(req: IncomingMessage, body: Buffer): { token: string; l1Server: string } | null {
  let fields: Record<string, unknown>;
  try {
    fields = parseJsonOrForm(body, single(req.headers["content-type"]) ?? null);
  } catch {
    return null;
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(single(req.headers.authorization) ?? "")?.[1];
  if (fields.token !== undefined && typeof fields.token !== "string") return null;
  if (fields.l1_server !== undefined && (typeof fields.l1_server !== "string" || fields.l1_server.length > 2048)) return null;
  const token = fields.token ?? bearer;
  const l1Server = fields.l1_server ?? single(req.headers["x-l1-server"]);
  return token && l1Server ? { token, l1Server } : null;
}

export interface FrontDoor {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Requests being answered right now. */
  inFlight(): number;
  /**
   * Stops the server accepting, closes idle keep-alive connections, lets in-flight requests finish
   * until the deadline, then closes whatever is left. Resolves with how many requests were cut off.
   */
  drain(server: http.Server, timeoutMs: number): Promise<{ cutOff: number }>;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/** The last entry of a comma-separated forwarded header: the one the nearest (trusted) proxy wrote. */
function lastHop(value: string | string[] | undefined): string | undefined {
  const entries = single(value)
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return entries?.length ? entries[entries.length - 1] : undefined;
}

/**
 * Replaces what a client may claim about itself with what we know: the socket's address, or — only
 * behind a trusted proxy (TRUST_PROXY) — the address, host and scheme the nearest proxy reports.
 * The public scheme is configuration (ARTDAG_SCHEME), so Next and the auth library build URLs with
 * it whatever the hop from the proxy used.
 */
function normalizeForwardedHeaders(req: IncomingMessage, config: Pick<Config, "trustProxy" | "scheme">, client: string): void {
  const h = req.headers;
  let host = single(h.host);
  if (config.trustProxy) {
    const forwardedHost = lastHop(h["x-forwarded-host"]);
    if (forwardedHost && HOST_VALUE.test(forwardedHost)) host = forwardedHost;
  }
  for (const name of FORWARDED_HEADERS) delete h[name];
  h[CLIENT_ADDRESS_HEADER] = client;
  if (host) {
    h.host = host;
    h["x-forwarded-host"] = host;
  }
  h["x-forwarded-proto"] = config.scheme;
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

/** How long a refused upload's connection keeps draining before it is closed (see lingerOnClose). */
const LINGER_MS = 5_000;

/**
 * Closes the connection after the answer the way nginx's lingering close does: our side is
 * half-closed (FIN after the answer) and what the client is still sending is read and discarded
 * for a moment. Closing at once with unread bytes in the socket makes the kernel send a reset,
 * and a reset makes the client's kernel throw away the answer it has not read yet.
 */
function lingerOnClose(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("end", () => {
      clearTimeout(timer);
      socket.destroy();
    });
    socket.resume();
  };
}

function tooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  // Connection: close — the rest of the body is never kept: read and dropped until the client stops.
  lingerOnClose(res);
  req.resume();
  sendJson(res, 413, { error: "payload_too_large", message: `The request body is larger than ${limit} bytes.` }, { connection: "close" });
}

/**
 * Reads a body sent without Content-Length (chunked) up to `limit` bytes, or null once it grows
 * past it (the rest is never read). Node's parser already holds a Content-Length body to its length.
 */
function readCapped(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

/** The same request with its (already read) body as a Content-Length body, for Next to read again. */
function withBufferedBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new http.IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  const headers = { ...req.headers, "content-length": String(body.byteLength) };
  delete headers["transfer-encoding"];
  copy.headers = headers;
  copy.rawHeaders = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : [k, String(v)]));
  copy.push(body);
  copy.push(null);
  copy.complete = true;
  return copy;
}

/** The request's headers as web Headers (repeated headers joined), for the framework-free screens. */
function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    try {
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    } catch {
      // A value Headers will not hold (non-Latin-1): irrelevant to the screens.
    }
  }
  return headers;
}

function splitUrl(url: string): { pathname: string; search: string } {
  let target = url;
  if (!target.startsWith("/")) {
    // absolute-form (a proxy-style request line): keep only the path and query
    try {
      const u = new URL(target);
      target = u.pathname + u.search;
    } catch {
      target = "/";
    }
  }
  const q = target.indexOf("?");
  return q === -1 ? { pathname: target, search: "" } : { pathname: target.slice(0, q), search: target.slice(q) };
}

/**
 * The request's id: the one a trusted proxy sent in X-Request-Id (when it is a plausible id), else a
 * new one. From anyone else the header is replaced, so what reaches the app and the logs is ours.
 */
function assignRequestId(req: IncomingMessage, trustProxy: boolean): string {
  const incoming = trustProxy ? single(req.headers["x-request-id"]) : undefined;
  const id = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  req.headers["x-request-id"] = id;
  return id;
}

/**
 * The client's address: the socket's, or behind a trusted proxy the last X-Forwarded-For hop (the
 * one the nearest proxy wrote). Read once, before normalizeForwardedHeaders drops the header: the
 * app (CLIENT_ADDRESS_HEADER) and the access log name the same address.
 */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? lastHop(req.headers["x-forwarded-for"]) : undefined;
  return (forwarded ?? req.socket.remoteAddress ?? "unknown").slice(0, 64);
}

/**
 * Every answer carries the security headers (lib/http/security-headers), with a fresh script nonce
 * per request (`csp`). The same Content-Security-Policy goes on the request too: Next reads the nonce
 * from there and stamps it on every script it writes, so no inline script needs 'unsafe-inline'.
 */
function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, csp: string): void {
  req.headers["content-security-policy"] = csp;
  res.setHeader("content-security-policy", csp);
  res.setHeader("x-request-id", req.headers["x-request-id"] as string);
  for (const name in STATIC_SECURITY_HEADERS) res.setHeader(name, STATIC_SECURITY_HEADERS[name]);
}

const answeredClientErrors = new WeakSet<Duplex>();

/**
 * The server's `clientError` listener: a request Node could not parse (headers over its limit, a
 * malformed request line) gets a JSON answer — 431 for headers that are too large, else 400 — and a
 * lingering close. Node's own answer closes the socket at once, and a client still sending its
 * oversized request line then gets a connection reset instead of the answer.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (answeredClientErrors.has(socket)) return;
  answeredClientErrors.add(socket);
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const text = JSON.stringify({
    error: "invalid_request",
    message: status === 431 ? "The request line or headers are too large." : "The request could not be parsed as HTTP.",
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${text}`,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once("end", () => {
    clearTimeout(timer);
    socket.destroy();
  });
  socket.on("error", () => socket.destroy());
  socket.resume();
}

/** What route() worked out about a request that goes on to serve(). */
interface Routed {
  method: string;
  requestId: string;
  client: string;
  /** The negotiated path, and the query string. */
  target: string;
  search: string;
  twin: string | null;
  cacheKey: string | null;
  /** This answer's Content-Security-Policy (its own nonce). */
  csp: string;
}

/** Builds the front door around Next's handler. */
export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  const limit = options.maxBodyBytes ?? FRONT_MAX_BODY_BYTES;
  const logError = options.logError ?? ((message, err) => getLogger().error({ component: "front", err }, message));
  const active = new Set<ServerResponse>();
  /** Answers given from the front door's memory, for the report of each request. */
  const cachedAnswers = new WeakSet<ServerResponse>();
  let draining = false;

  const dev = options.dev ?? false;
  const trustProxy = options.config.trustProxy;
  const onAnswered = options.onAnswered;

  /**
   * A request's first steps, synchronously: /healthz, a malformed path and an answer from the
   * response cache are given here (nothing returned); anything else goes on to serve().
   */
  function route(req: IncomingMessage, res: ServerResponse, requestId: string, client: string, pathname: string, search: string): Promise<void> | undefined {
    const csp = contentSecurityPolicy({ nonce: createCspNonce(), dev });
    const method = (req.method ?? "GET").toUpperCase();
    if (pathname === "/healthz" && (method === "GET" || method === "HEAD")) {
      applySecurityHeaders(req, res, csp);
      return void sendJson(res, draining ? 503 : 200, { status: draining ? "stopping" : "ok" });
    }
    if (pathname === "/readyz" && draining) {
      // Stopping: a load balancer must take this replica out now (the route reports the rest).
      applySecurityHeaders(req, res, csp);
      return void sendJson(res, 503, { error: "not_ready", message: "The server is stopping." });
    }
    if (pathname === "/metrics" && options.metrics) {
      applySecurityHeaders(req, res, csp);
      return options.metrics(req, res);
    }
    if (pathname.includes("%") && hasMalformedEscape(pathname)) {
      applySecurityHeaders(req, res, csp);
      return void sendJson(res, 400, { error: "invalid_request", message: "The path has a malformed percent-encoding." });
    }
    const twin = negotiatedPath(method, pathname, req.headers);
    const target = twin ?? pathname;
    // Public documents are answered from memory when a fresh copy is held; nothing else is looked up.
    // The cache writes the whole head itself (the security headers too), so nothing is set before.
    const cacheKey = options.cache ? requestCacheKey(method, target + search, req.headers) : null;
    if (cacheKey !== null && options.cache?.serve(cacheKey, req, res, csp, requestId)) {
      cachedAnswers.add(res);
      return;
    }
    return serve(req, res, { method, requestId, client, target, search, twin, cacheKey, csp });
  }

  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    logError(`${req.method} ${splitUrl(req.url ?? "/").pathname} (request ${single(req.headers["x-request-id"])}) failed: ${errorMessage(err)}`, err);
    if (!res.headersSent) sendJson(res, 500, { error: "internal_error", message: "Something went wrong on our side." });
    else res.end();
  }

  async function serve(req: IncomingMessage, res: ServerResponse, { method, requestId, client, target, search, twin, cacheKey, csp }: Routed): Promise<void> {
    normalizeForwardedHeaders(req, options.config, client);
    applySecurityHeaders(req, res, csp);
    // Next 16 answers 500 to a server action with a foreign Origin or a body it cannot decode
    // (lib/http/server-actions): refuse those here, with the whole (capped) body read first.
    const headers = webHeaders(req);
    const serverAction = isPagePath(target) && isServerActionRequest(method, headers);
    if (serverAction) {
      const refusal = screenServerActionHeaders(method, headers);
      if (refusal) return sendJson(res, refusal.status, { error: refusal.code, message: refusal.message });
    }

    let request = req;
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) return tooLarge(req, res, limit);
    // A renderer login (POST /auth/verify) whose positive answer is held is answered here; the
    // route (and its database check) answers everything else, with the body read here handed on.
    const verify = options.verifiedToken && method === "POST" && target === "/auth/verify" && Number(declared ?? 0) <= VERIFY_BODY_BYTES;
    if (verify && options.verifiedToken) {
      const body = await readCapped(req, limit);
      if (body === null) return tooLarge(req, res, limit);
      const asked = verifyRequestOf(req, body);
      const answer = asked ? await options.verifiedToken(asked.token, asked.l1Server) : null;
      if (answer !== null) {
        cachedAnswers.add(res);
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(answer),
          // As the route sends it: introspection answers are never cached (RFC 7662 §4).
          "cache-control": "no-store",
          pragma: "no-cache",
          "x-request-id": requestId,
          [CACHE_STATUS_HEADER]: "hit",
        });
        res.end(answer);
        return;
      }
      request = withBufferedBody(req, body);
    } else if (serverAction || (declared === undefined && req.headers["transfer-encoding"] !== undefined)) {
      const body = await readCapped(req, limit);
      if (body === null) return tooLarge(req, res, limit);
      if (serverAction) {
        const refusal = screenServerActionBody(method, headers, body);
        if (refusal) return sendJson(res, refusal.status, { error: refusal.code, message: refusal.message });
      }
      request = withBufferedBody(req, body);
    }

    if (twin !== null) request.url = twin + search;
    options.cache?.capture(cacheKey, request, res);
    await options.handle(request, res);
  }

  return {
    listener(req, res) {
      const arrived = performance.now();
      const requestId = assignRequestId(req, trustProxy);
      const client = clientAddress(req, trustProxy);
      const { pathname, search } = splitUrl(req.url ?? "/");
      active.add(res);
      res.once("close", () => {
        active.delete(res);
        onAnswered?.({
          requestId,
          method: req.method ?? "GET",
          path: pathname,
          status: res.writableFinished ? res.statusCode : 499,
          durationMs: performance.now() - arrived,
          client,
          cached: cachedAnswers.has(res),
        });
      });
      if (draining) res.shouldKeepAlive = false;
      try {
        route(req, res, requestId, client, pathname, search)?.catch((err: unknown) => fail(req, res, err));
      } catch (err) {
        fail(req, res, err);
      }
    },
    inFlight: () => active.size,
    async drain(server, timeoutMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while (active.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        // A keep-alive connection whose request just finished is idle now: close it.
        server.closeIdleConnections();
      }
      const cutOff = active.size;
      server.closeAllConnections();
      await closed;
      return { cutOff };
    },
  };
}
