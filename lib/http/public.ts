// Public documents (the actor, WebFinger, NodeInfo, objects, activities, public collections): HTTP
// caching headers that any shared cache can use — our front door (lib/front/cache.ts), a caching
// nginx, a follower's server. `Cache-Control: public, max-age=N`, a strong ETag (a hash of the exact
// bytes), Last-Modified where the document has a time, and 304 on a matching conditional GET. The
// cache tags travel in a response header the front door strips before the answer leaves.
import { createHash } from "node:crypto";

/** Response header a route names its cache tags in (space-separated); never sent to a client. */
export const CACHE_TAGS_HEADER = "x-artdag-cache-tags";

export interface PublicDocumentOptions {
  /** The request, for its conditional headers (If-None-Match, If-Modified-Since). */
  req: Request;
  /** Seconds a shared cache may serve the document without asking again (config.publicCacheSeconds). */
  maxAge: number;
  /** When the document last changed, if it has such a time. */
  lastModified?: Date | null;
  /** Defaults to application/json. */
  contentType?: string;
  /** The request headers the representation depends on, e.g. "Accept" where content is negotiated. */
  vary?: string;
  /** What the document shows (lib/cache's cacheTag), so a change purges exactly its entries. */
  tags?: readonly string[];
  /** Further headers (CORS). */
  headers?: Record<string, string>;
}

/** The strong ETag of exact bytes: a SHA-256 of them, base64url. */
export function strongEtag(bytes: Uint8Array | string): string {
  return `"${createHash("sha256").update(bytes).digest("base64url")}"`;
}

/** Whether an If-None-Match list names `etag`, compared weakly as RFC 9110 §13.1.2 says ("*" matches any). */
export function etagListMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === opaque);
}

/** Whether a conditional GET already holds this representation (RFC 9110 §13.2.2 order). */
export function isNotModified(headers: Headers, etag: string, lastModified: Date | null | undefined): boolean {
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) return etagListMatches(ifNoneMatch, etag);
  const ifModifiedSince = headers.get("if-modified-since");
  if (ifModifiedSince === null || !lastModified) return false;
  const since = Date.parse(ifModifiedSince);
  // HTTP dates have whole seconds: compare at that precision.
  return Number.isFinite(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** A public document served as these exact bytes, with its caching headers (or a 304). */
export function publicDocument(bytes: string, options: PublicDocumentOptions): Response {
  const etag = strongEtag(bytes);
  const headers: Record<string, string> = {
    "content-type": options.contentType ?? "application/json; charset=utf-8",
    ...options.headers,
    "cache-control": `public, max-age=${Math.max(0, Math.floor(options.maxAge))}`,
    etag,
  };
  if (options.lastModified && Number.isFinite(options.lastModified.getTime())) headers["last-modified"] = options.lastModified.toUTCString();
  if (options.vary) headers.vary = options.vary;
  if (options.tags?.length) headers[CACHE_TAGS_HEADER] = options.tags.join(" ");
  const method = options.req.method.toUpperCase();
  if ((method === "GET" || method === "HEAD") && isNotModified(options.req.headers, etag, options.lastModified)) {
    delete headers["content-type"];
    return new Response(null, { status: 304, headers });
  }
  return new Response(bytes, { status: 200, headers });
}

/** A public JSON document (see publicDocument). */
export function publicJson(body: unknown, options: PublicDocumentOptions): Response {
  return publicDocument(JSON.stringify(body), options);
}
