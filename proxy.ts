// Content negotiation (product.md §8): where a page and an API share a path, browsers (an Accept
// that lists text/html) get the page and everyone else, curl included, gets JSON from app/api.
import { NextResponse, type NextRequest } from "next/server";

/** Paths that are both a page and a JSON resource, and where their JSON lives. */
const JSON_TWINS: Record<string, string> = {
  "/": "/api/stats",
};

export function proxy(req: NextRequest) {
  // Only reads are negotiated: a POST to a page is a form or a server action, never the JSON twin.
  if (req.method !== "GET" && req.method !== "HEAD") return NextResponse.next();
  const accept = req.headers.get("accept") ?? "";
  if (/\btext\/html\b/i.test(accept)) return NextResponse.next();
  const target = JSON_TWINS[req.nextUrl.pathname];
  if (!target) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = target;
  return NextResponse.rewrite(url);
}

export const config = { matcher: ["/"] };
