// Content negotiation (product.md §8), decided once in the front door before Next sees the request:
// where a page and an API share a path, page requests get the page and everyone else — curl
// included, and every write — gets the JSON twin. A rewrite here is a change of `req.url` inside
// this process; Next's own rewrites (proxy.ts) would proxy the request over HTTP back to the
// server, which fails behind a TLS proxy (design/serving.md, "the rewrite trap").
import type { IncomingHttpHeaders } from "node:http";

/** One shared path: the pattern, and the path its other representation is served at. */
export interface Twin {
  pattern: RegExp;
  target(match: RegExpExecArray): string;
}

/** Each shared path and where its JSON lives (the page lives at the path itself). */
export const JSON_TWINS: readonly Twin[] = [
  { pattern: /^\/$/, target: () => "/api/stats" },
  { pattern: /^\/assets$/, target: () => "/api/assets" },
  { pattern: /^\/asset\/([^/]+)$/, target: (m) => `/assets/${m[1]}` },
  { pattern: /^\/activities$/, target: () => "/api/activities" },
  { pattern: /^\/activity\/([^/]+)$/, target: (m) => `/activities/${m[1]}` },
  { pattern: /^\/users$/, target: () => "/api/users" },
  { pattern: /^\/users\/([^/]+)$/, target: (m) => `/api/users/${m[1]}` },
  { pattern: /^\/renderers$/, target: () => "/api/renderers" },
  // The CLI client: its page for browsers, the file itself for curl and scripts.
  { pattern: /^\/download\/client$/, target: () => "/download/artdag-client.mjs" },
];

/** Paths whose route handler serves JSON at the path itself, and whose page lives elsewhere. */
export const PAGE_TWINS: readonly Twin[] = [{ pattern: /^\/anchors$/, target: () => "/anchors/ui" }];

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Whether a request is for a page: Next's own requests (a server action, an RSC payload for
 * client-side navigation, a prefetch) whatever their Accept, and GETs whose Accept lists
 * text/html. Everything else is an API or ActivityPub client.
 */
export function isPageRequest(method: string, headers: IncomingHttpHeaders): boolean {
  if (headers["next-action"] !== undefined || headers["rsc"] !== undefined || headers["next-router-prefetch"] !== undefined) return true;
  if (method !== "GET" && method !== "HEAD") return false;
  return /\btext\/html\b/i.test(header(headers, "accept") ?? "");
}

/** The path a request is served at: its twin's, or null when it stays where it is. */
export function negotiatedPath(method: string, pathname: string, headers: IncomingHttpHeaders): string | null {
  const twins = isPageRequest(method, headers) ? PAGE_TWINS : JSON_TWINS;
  for (const twin of twins) {
    const m = twin.pattern.exec(pathname);
    if (m) return twin.target(m);
  }
  return null;
}

/** A path Next cannot percent-decode would otherwise end in a bare 500 before any route runs. */
export function hasMalformedEscape(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/**
 * Paths served by route handlers (the API, ActivityPub, auth endpoints), as opposed to pages. Only
 * a page receives server actions; a form posted to a route is that route's business.
 */
const ROUTE_HANDLER_PATH =
  /^\/(?:api\/|auth\/|renderers\/|assets(?:\/|$)|users\/[^/]+\/|inbox$|anchors(?:\/(?!ui$)|$)|activities\/|objects\/|\.well-known\/|nodeinfo\/|actor$|download\/artdag-client\.mjs$)/;

/** Whether a (negotiated) path is a page's, the only kind that takes server-action posts. */
export function isPagePath(pathname: string): boolean {
  return !ROUTE_HANDLER_PATH.test(pathname);
}
