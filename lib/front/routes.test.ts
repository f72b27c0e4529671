// Route labels for the access log and metrics: one per route of the app, whatever the path.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRouteNamer, routeNamer, UNMATCHED_ROUTE } from "./routes";

// The shape Next writes to .next/routes-manifest.json (regexes as Next builds them).
const MANIFEST = {
  staticRoutes: [
    { page: "/", regex: "^/(?:/)?$" },
    { page: "/inbox", regex: "^/inbox(?:/)?$" },
    { page: "/users/new", regex: "^/users/new(?:/)?$" },
  ],
  dynamicRoutes: [
    { page: "/users/[username]/outbox", regex: "^/users/([^/]+?)/outbox(?:/)?$" },
    { page: "/users/[username]", regex: "^/users/([^/]+?)(?:/)?$" },
    { page: "/assets/[...path]", regex: "^/assets/(.+?)(?:/)?$" },
  ],
};

describe("route names", () => {
  const routeOf = routeNamer(MANIFEST);

  it("names a path by the route that serves it", () => {
    expect(routeOf("/")).toBe("/");
    expect(routeOf("/inbox")).toBe("/inbox");
    expect(routeOf("/inbox/")).toBe("/inbox");
    expect(routeOf("/users/new")).toBe("/users/new");
    expect(routeOf("/users/alice")).toBe("/users/[username]");
    expect(routeOf("/users/b%C3%B6b/outbox")).toBe("/users/[username]/outbox");
    expect(routeOf("/assets/a/b/c.png")).toBe("/assets/[...path]");
  });

  it("names the front door's own paths and Next's static files, and puts everything else under one label", () => {
    expect(routeOf("/healthz")).toBe("/healthz");
    expect(routeOf("/metrics")).toBe("/metrics");
    expect(routeOf("/_next/static/chunks/abc123.js")).toBe("/_next/static");
    const probes = ["/wp-login.php", "/.env", "/users", "/users/alice/unknown/deep", `/${"x".repeat(5000)}`];
    expect(new Set(probes.map(routeOf))).toEqual(new Set([UNMATCHED_ROUTE]));
  });

  it("reads the manifest of a build, and names nothing but the front door's paths without one", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "routes-"));
    expect(createRouteNamer(dir)("/users/alice")).toBe(UNMATCHED_ROUTE);
    expect(createRouteNamer(dir)("/readyz")).toBe("/readyz");
    mkdirSync(path.join(dir, ".next"));
    writeFileSync(path.join(dir, ".next", "routes-manifest.json"), JSON.stringify(MANIFEST));
    expect(createRouteNamer(dir)("/users/alice")).toBe("/users/[username]");
  });
});
