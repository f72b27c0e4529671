// The route a request path belongs to, as the app names it (`/users/[username]`), for the access
// log and the request metrics: a label per page or endpoint rather than per URL, so a metric has
// as many series as the app has routes, whatever paths clients try. Read from the build's route
// manifest (`.next/routes-manifest.json`, the table Next routes by).
import { readFileSync } from "node:fs";
import path from "node:path";

/** Paths the front door answers itself, before the app. */
const FRONT_ROUTES = ["/healthz", "/readyz", "/metrics"];

/** How many paths' names are remembered. */
const NAMED_PATHS = 4096;

/** The label of a path no route matches (a 404), and of every path without a built manifest (dev). */
export const UNMATCHED_ROUTE = "(unmatched)";

interface ManifestRoute {
  page: string;
  regex: string;
}

/** The part of `.next/routes-manifest.json` read here. */
interface RoutesManifest {
  staticRoutes?: ManifestRoute[];
  dynamicRoutes?: ManifestRoute[];
}

/**
 * A function naming the route of a path (no query string), from the manifest of the build in
 * `appDir`; static files under /_next/static share one label. Without a manifest (the development
 * server) every path but the front door's own is UNMATCHED_ROUTE.
 */
export function createRouteNamer(appDir: string): (pathname: string) => string {
  let manifest: RoutesManifest = {};
  try {
    manifest = JSON.parse(readFileSync(path.join(appDir, ".next", "routes-manifest.json"), "utf8")) as RoutesManifest;
  } catch {
    // No build (next dev): routes are not named.
  }
  return routeNamer(manifest);
}

/** routeNamer over a manifest already read (tests). */
export function routeNamer(manifest: RoutesManifest): (pathname: string) => string {
  const exact = new Set([...FRONT_ROUTES, ...(manifest.staticRoutes ?? []).map((r) => r.page)]);
  const dynamic = (manifest.dynamicRoutes ?? []).map((r) => ({ page: r.page, regex: new RegExp(r.regex) }));
  const name = (pathname: string): string => {
    const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    if (exact.has(trimmed)) return trimmed;
    if (trimmed.startsWith("/_next/static/")) return "/_next/static";
    // In the manifest's order: Next lists the more specific routes first.
    for (const route of dynamic) if (route.regex.test(pathname)) return route.page;
    return UNMATCHED_ROUTE;
  };
  // The paths asked for most (a follower's server fetching an actor) are named once, not matched
  // against every route again; the memory is bounded, and dropped whole when full.
  const named = new Map<string, string>();
  return (pathname) => {
    let route = named.get(pathname);
    if (route === undefined) {
      route = name(pathname);
      if (named.size >= NAMED_PATHS) named.clear();
      if (pathname.length <= 256) named.set(pathname, route);
    }
    return route;
  };
}
