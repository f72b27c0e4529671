// The front door's response cache (design/serving.md §2): public documents answered from memory
// without entering Next. What Next answered to an anonymous GET is stored as bytes when the route said
// it may be (200, `Cache-Control: public`, a strong ETag, no Set-Cookie, not HTML); the next matching
// GET or HEAD is answered from here, a conditional one with 304. Keyed by the negotiated URL and the
// Accept class; freshness by RFC 9111 (http-cache-semantics, as a shared cache); memory bounded by
// an LRU in bytes; a gzip copy beside the identity bytes. Entries carry the tags the route named
// (x-artdag-cache-tags, stripped before the answer leaves) and a purge by tag drops them at once.
// Framework-free: node:http only, Next is just whatever wrote the response.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import CachePolicy from "http-cache-semantics";
import { LRUCache } from "lru-cache";
import { CACHE_TAGS_HEADER, etagListMatches, securityHeaders, STATIC_SECURITY_HEADERS } from "@/lib/http";
import { isPageRequest } from "./negotiation";

/** Debug header on cacheable requests: `hit` answered from memory, `miss` went to the app. */
export const CACHE_STATUS_HEADER = "x-artdag-cache";

/** Largest document kept; anything bigger is served but not stored. */
const MAX_ENTRY_BYTES = 1024 * 1024;

/** How many recent purges are remembered to refuse storing an answer computed before one. */
const RECENT_PURGES = 1024;

/** Headers that belong to one answer, or that the front door sets itself on every answer. */
const PER_ANSWER_HEADERS = new Set([
  ...Object.keys(securityHeaders({ nonce: "AAAAAAAAAAAAAAAAAAAAAA==" })),
  "date",
  "age",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "x-request-id",
  CACHE_TAGS_HEADER,
  CACHE_STATUS_HEADER,
]);

interface Entry {
  policy: CachePolicy;
  /**
   * Until when (epoch ms) a request without Cache-Control or Pragma of its own is answered without
   * asking the policy again: the end of the freshness lifetime http-cache-semantics computed when
   * the answer was stored (maxAge − age, RFC 9111 §4.2). 0: every request is evaluated in full.
   */
  freshUntil: number;
  /** The policy's age of the answer (seconds) at `storedAt` (epoch ms), for the Age header. */
  ageAtStore: number;
  storedAt: number;
  /** The head of a 200 answer, flat (name, value, …) for one writeHead: identity, and gzip copy. */
  identityHead: string[];
  gzipHead: string[] | null;
  /** The stored headers of the answer (without the per-answer ones). */
  headers: [string, string][];
  etag: string;
  gzipEtag: string;
  lastModified: number | null;
  identity: Buffer;
  /** The gzip copy, or null when gzip does not make it smaller. */
  gzip: Buffer | null;
  tags: string[];
}

export interface ResponseCache {
  /**
   * Answers a request from memory when a fresh stored answer matches it (200 or 304); returns
   * whether it did. `key` is requestCacheKey's; `csp` the Content-Security-Policy of this answer
   * (with its own nonce), `requestId` its X-Request-Id. The answer's head is written at once:
   * nothing may be set on `res` before.
   */
  serve(key: string, req: IncomingMessage, res: ServerResponse, csp: string, requestId: string): boolean;
  /**
   * Watches the answer the app writes to `res`: always strips the cache-tags header, and when `key`
   * is not null and the answer is storable, keeps a copy of its bytes as they stream out.
   */
  capture(key: string | null, req: IncomingMessage, res: ServerResponse): void;
  /** Drops every entry carrying one of `tags`; returns how many. */
  purge(tags: readonly string[]): number;
  clear(): void;
  /** Entries held, and their bytes. */
  stats(): { entries: number; bytes: number };
}

function header(headers: IncomingHttpHeaders | OutgoingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

const ACTIVITYPUB = /\bapplication\/(?:activity\+json|ld\+json)\b/i;

/**
 * The key of an anonymous GET or HEAD that may be answered from the cache, or null: the negotiated
 * URL (what the app serves) and the class of representation asked for (the routes that vary on
 * Accept choose between ActivityPub JSON and plain JSON). Requests with credentials and page
 * requests never are.
 */
export function requestCacheKey(method: string, url: string, headers: IncomingHttpHeaders): string | null {
  if (method !== "GET" && method !== "HEAD") return null;
  if (headers.cookie !== undefined || headers.authorization !== undefined) return null;
  if (isPageRequest(method, headers)) return null;
  return `${ACTIVITYPUB.test(header(headers, "accept") ?? "") ? "ap" : "json"} ${url}`;
}

/** The request as http-cache-semantics sees it: its Accept reduced to the class the key holds. */
function policyRequest(key: string, req: IncomingMessage | null): CachePolicy.Request {
  const headers: Record<string, string> = { accept: key.slice(0, key.indexOf(" ")) };
  if (req === null) return { url: key, method: "GET", headers };
  const cacheControl = header(req.headers, "cache-control");
  if (cacheControl) headers["cache-control"] = cacheControl;
  const pragma = header(req.headers, "pragma");
  if (pragma) headers.pragma = pragma;
  return { url: key, method: "GET", headers };
}

/** The values every answer from the cache carries of its own (a 304's; a 200 has them in answerHead's slots). */
function perAnswer(csp: string, age: string, requestId: string): string[] {
  return ["content-security-policy", csp, "age", age, "x-request-id", requestId, CACHE_STATUS_HEADER, "hit"];
}

/**
 * The head of a 200 from the cache, flat for writeHead: the security headers, the stored ones, the
 * representation's own, then the Content-Security-Policy, Age and X-Request-Id slots that serve
 * fills in per answer (the last five entries hold their values at n−5, n−3, n−1).
 */
function answerHead(stored: readonly [string, string][], etag: string, length: number, gzip: boolean): string[] {
  const head: string[] = [];
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) head.push(name, value);
  for (const [name, value] of stored) head.push(name, value);
  head.push("etag", etag, "content-length", String(length));
  if (gzip) head.push("content-encoding", "gzip");
  head.push(CACHE_STATUS_HEADER, "hit", "content-security-policy", "", "age", "", "x-request-id", "");
  return head;
}

function acceptsGzip(req: IncomingMessage): boolean {
  const value = header(req.headers, "accept-encoding");
  return value !== undefined && /(?:^|,)\s*gzip\s*(?:,|$|;(?!\s*q\s*=\s*0(?:\.0*)?\s*(?:,|$)))/i.test(value);
}

function withVary(vary: string | undefined, name: string): string {
  const names = (vary ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.some((n) => n.toLowerCase() === name.toLowerCase()) ? names.join(", ") : [...names, name].join(", ");
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer | null {
  if (typeof chunk === "string") return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return null;
}

/** Whether the app's answer may be stored: RFC 9111 says so, and our own "never" rules hold. */
function storablePolicy(key: string, req: IncomingMessage, status: number, headers: OutgoingHttpHeaders): CachePolicy | null {
  if (status !== 200 || req.method !== "GET") return null;
  if (headers["set-cookie"] !== undefined) return null;
  const cacheControl = header(headers, "cache-control") ?? "";
  if (!/(?:^|,)\s*public\s*(?:,|$)/i.test(cacheControl)) return null;
  if (!/^"[^"]*"$/.test(header(headers, "etag") ?? "")) return null;
  if (/\btext\/html\b/i.test(header(headers, "content-type") ?? "")) return null;
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : String(value);
  const policy = new CachePolicy(policyRequest(key, req), { status, headers: responseHeaders }, { shared: true });
  return policy.storable() && policy.timeToLive() > 0 ? policy : null;
}

type WriteHead = (...args: unknown[]) => ServerResponse;
type Write = (chunk: unknown, ...rest: unknown[]) => boolean;
type End = (...args: unknown[]) => ServerResponse;

/** A cache of `maxBytes` (0: off — nothing is stored, the cache-tags header is still stripped). */
export function createResponseCache(options: { maxBytes: number; maxEntryBytes?: number }): ResponseCache {
  const enabled = options.maxBytes > 0;
  const byTag = new Map<string, Set<string>>();
  const entries = new LRUCache<string, Entry>({
    maxSize: Math.max(1, options.maxBytes),
    maxEntrySize: Math.min(options.maxEntryBytes ?? MAX_ENTRY_BYTES, Math.max(1, options.maxBytes)),
    sizeCalculation: (entry, key) => key.length + entry.identity.byteLength + (entry.gzip?.byteLength ?? 0) + 512,
    dispose: (entry, key) => {
      for (const tag of entry.tags) {
        const keys = byTag.get(tag);
        keys?.delete(key);
        if (keys?.size === 0) byTag.delete(tag);
      }
    },
  });
  // Purges by sequence number: an answer computed before a purge of one of its tags is not stored.
  let purgeSeq = 0;
  let clearedAt = 0;
  const recentPurges: { seq: number; tags: Set<string> }[] = [];

  function purgedSince(seq: number, tags: string[]): boolean {
    if (seq === purgeSeq) return false;
    if (seq < clearedAt) return true;
    // Purges older than the ones remembered may have named these tags: assume they did.
    if (recentPurges.length > 0 && recentPurges[0].seq > seq + 1) return true;
    return recentPurges.some((p) => p.seq > seq && tags.some((t) => p.tags.has(t)));
  }

  function store(key: string, entry: Entry): void {
    entries.set(key, entry);
    if (!entries.has(key)) return;
    for (const tag of entry.tags) {
      let keys = byTag.get(tag);
      if (!keys) byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  function serve(key: string, req: IncomingMessage, res: ServerResponse, csp: string, requestId: string): boolean {
    if (!enabled) return false;
    const entry = entries.get(key);
    if (!entry) return false;
    const now = Date.now();
    const h = req.headers;
    // While the entry is within the freshness lifetime the policy computed at store time, and the
    // request adds no Cache-Control or Pragma of its own, the policy would say "fresh": skip asking.
    const plain = now < entry.freshUntil && h["cache-control"] === undefined && h.pragma === undefined;
    if (!plain && !entry.policy.satisfiesWithoutRevalidation(policyRequest(key, req))) {
      // Stale (or the client asked to revalidate): the app answers, and its answer replaces this one.
      return false;
    }
    const age = String(Math.floor(entry.ageAtStore + (now - entry.storedAt) / 1000));
    const gzip = entry.gzipHead !== null && acceptsGzip(req);
    const ifNoneMatch = h["if-none-match"];
    const ifModifiedSince = h["if-modified-since"];
    if (ifNoneMatch !== undefined || ifModifiedSince !== undefined) {
      const notModified =
        ifNoneMatch !== undefined
          ? etagListMatches(ifNoneMatch, entry.etag) || etagListMatches(ifNoneMatch, entry.gzipEtag)
          : ifModifiedSince !== undefined && entry.lastModified !== null && entry.lastModified <= Date.parse(ifModifiedSince);
      if (notModified) {
        const head: string[] = [];
        for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) head.push(name, value);
        for (const [name, value] of entry.headers) if (name !== "content-type") head.push(name, value);
        head.push("etag", gzip ? entry.gzipEtag : entry.etag, ...perAnswer(csp, age, requestId));
        res.writeHead(304, head);
        res.end();
        return true;
      }
    }
    // The stored head with this answer's own values in the last slots (see answerHead).
    const head = (gzip ? (entry.gzipHead as string[]) : entry.identityHead).slice();
    const n = head.length;
    head[n - 5] = csp;
    head[n - 3] = age;
    head[n - 1] = requestId;
    res.writeHead(200, head);
    res.end(req.method === "HEAD" ? undefined : gzip ? entry.gzip : entry.identity);
    return true;
  }

  function capture(cacheKey: string | null, req: IncomingMessage, res: ServerResponse): void {
    const key = enabled ? cacheKey : null;
    const startedAt = purgeSeq;
    let policy: CachePolicy | null = null;
    let tags: string[] = [];
    let stored: [string, string][] = [];
    let chunks: Buffer[] | null = null;
    let size = 0;
    const writeHead = res.writeHead as unknown as WriteHead;
    // Node sends implicit headers through writeHead too (first write, flushHeaders): one place sees all.
    (res as unknown as { writeHead: WriteHead }).writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const [status, second, third] = args;
      const given = (typeof second === "object" && second !== null ? second : third) as OutgoingHttpHeaders | unknown[] | undefined;
      // Headers handed to writeHead itself (not setHeader) join the response's own here.
      if (given && !Array.isArray(given)) {
        for (const [name, value] of Object.entries(given)) if (value !== undefined) res.setHeader(name, value);
        args = typeof second === "object" ? [status] : [status, second];
      }
      const tagHeader = header(res.getHeaders(), CACHE_TAGS_HEADER);
      res.removeHeader(CACHE_TAGS_HEADER);
      if (key !== null) {
        policy = storablePolicy(key, req, Number(status), res.getHeaders());
        res.setHeader(CACHE_STATUS_HEADER, "miss");
        if (policy) {
          // Our copy may be gzipped, so the one a shared cache sees depends on Accept-Encoding too.
          res.setHeader("vary", withVary(header(res.getHeaders(), "vary"), "Accept-Encoding"));
          tags = (tagHeader ?? "").split(/\s+/).filter(Boolean);
          stored = Object.entries(res.getHeaders())
            .filter(([name, value]) => value !== undefined && !PER_ANSWER_HEADERS.has(name))
            .map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : String(value)]);
          chunks = [];
        }
      }
      return writeHead.apply(this, args);
    };
    if (key === null) return;
    const write = res.write as unknown as Write;
    const end = res.end as unknown as End;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (chunks === null || chunk === undefined || chunk === null || typeof chunk === "function") return;
      const bytes = toBuffer(chunk, encoding);
      if (!bytes || size + bytes.byteLength > MAX_ENTRY_BYTES) return void (chunks = null);
      chunks.push(Buffer.from(bytes));
      size += bytes.byteLength;
    };
    (res as unknown as { write: Write }).write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      const ok = write.call(this, chunk, ...rest);
      keep(chunk, rest[0]);
      return ok;
    };
    (res as unknown as { end: End }).end = function (this: ServerResponse, ...args: unknown[]) {
      const result = end.apply(this, args);
      keep(args[0], args[1]);
      const kept = chunks;
      chunks = null;
      if (kept && policy && !purgedSince(startedAt, tags)) {
        const identity = Buffer.concat(kept, size);
        const etag = header(res.getHeaders(), "etag") as string;
        const zipped = gzipSync(identity);
        const gzip = zipped.byteLength < identity.byteLength ? zipped : null;
        const gzipEtag = `${etag.slice(0, -1)}-gzip"`;
        const lastModified = Date.parse(header(res.getHeaders(), "last-modified") ?? "");
        const headers = stored.filter(([name]) => name !== "etag");
        // Freshness is the policy's (RFC 9111): asked once here for a request that adds nothing of
        // its own, then only the clock is compared until the lifetime it computed runs out.
        const storedAt = Date.now();
        const ageAtStore = policy.age();
        const fresh = policy.satisfiesWithoutRevalidation(policyRequest(key, null));
        store(key, {
          policy,
          freshUntil: fresh ? storedAt + (policy.maxAge() - ageAtStore) * 1000 : 0,
          ageAtStore,
          storedAt,
          identityHead: answerHead(headers, etag, identity.byteLength, false),
          gzipHead: gzip ? answerHead(headers, gzipEtag, gzip.byteLength, true) : null,
          headers,
          etag,
          gzipEtag,
          lastModified: Number.isFinite(lastModified) ? lastModified : null,
          identity,
          gzip,
          tags,
        });
      }
      return result;
    };
  }

  return {
    serve,
    capture,
    purge(tags) {
      purgeSeq += 1;
      recentPurges.push({ seq: purgeSeq, tags: new Set(tags) });
      if (recentPurges.length > RECENT_PURGES) recentPurges.shift();
      const keys = new Set<string>();
      for (const tag of tags) for (const key of byTag.get(tag) ?? []) keys.add(key);
      for (const key of keys) entries.delete(key);
      return keys.size;
    },
    clear() {
      purgeSeq += 1;
      // Everything in flight was computed before this: none of it is stored (see purgedSince).
      clearedAt = purgeSeq;
      entries.clear();
    },
    stats: () => ({ entries: entries.size, bytes: entries.calculatedSize }),
  };
}
