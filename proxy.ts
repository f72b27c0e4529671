// Content negotiation (product.md §8): where a page and an API share a path, browsers (a GET whose
// Accept lists text/html) get the page and everyone else — curl included, and every write — gets
// the JSON twin. Server actions (Next-Action header) always stay with the page.
import { NextResponse, type NextRequest } from "next/server";

type Twins = [RegExp, (m: RegExpExecArray) => string][];

/** Each shared path and where its JSON lives. */
const JSON_TWINS: Twins = [
  [/^\/$/, () => "/api/stats"],
  [/^\/assets$/, () => "/api/assets"],
  [/^\/asset\/([^/]+)$/, (m) => `/assets/${m[1]}`],
  [/^\/activities$/, () => "/api/activities"],
  [/^\/activity\/([^/]+)$/, (m) => `/activities/${m[1]}`],
  [/^\/users$/, () => "/api/users"],
  [/^\/users\/([^/]+)$/, (m) => `/api/users/${m[1]}`],
  [/^\/renderers$/, () => "/api/renderers"],
  // The CLI client: its page for browsers, the file itself for curl and scripts.
  [/^\/download\/client$/, () => "/download/artdag-client.mjs"],
];

/** Paths whose route handler serves JSON at the path itself, and whose page lives elsewhere. */
const PAGE_TWINS: Twins = [[/^\/anchors$/, () => "/anchors/ui"]];

/** A rewrite to the twin of the request's path, or null when it has none. */
function rewriteToTwin(req: NextRequest, twins: Twins): NextResponse | null {
  for (const [pattern, target] of twins) {
    const m = pattern.exec(req.nextUrl.pathname);
    if (!m) continue;
    const url = req.nextUrl.clone();
    url.pathname = target(m);
    return NextResponse.rewrite(url);
  }
  return null;
}

function wantsPage(req: NextRequest): boolean {
  if (req.headers.has("next-action")) return true;
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  return /\btext\/html\b/i.test(req.headers.get("accept") ?? "");
}

/** A path Next cannot percent-decode would otherwise end in a bare 500 before any route runs. */
function hasMalformedEscape(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

export function proxy(req: NextRequest) {
  if (hasMalformedEscape(req.nextUrl.pathname)) {
    return NextResponse.json(
      { error: "invalid_request", message: "The path has a malformed percent-encoding." },
      { status: 400 },
    );
  }
  if (wantsPage(req)) return rewriteToTwin(req, PAGE_TWINS) ?? NextResponse.next();
  return rewriteToTwin(req, JSON_TWINS) ?? NextResponse.next();
}

export const config = {
  // Every path but Next's own static files: the percent-encoding check applies everywhere.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
