// The front door rewrites some paths to others (JSON_TWINS, PAGE_TWINS): each target must be served
// by a file under app/, or the rewrite ends in a 404 nobody asked for. And the URL map of
// docs/architecture.md must name files that exist, so a newcomer following it lands somewhere.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JSON_TWINS, PAGE_TWINS, type Twin } from "./negotiation";

const root = path.resolve(import.meta.dirname, "..", "..");
const appDir = path.join(root, "app");

type Served = "route" | "page";
const FILE_OF: Record<Served, string> = { route: "route.ts", page: "page.tsx" };

/**
 * The file under app/ that Next serves `urlPath` from, as Next's router finds it: a static folder
 * before a dynamic one (`[id]`), a catch-all (`[...path]`) last; route groups (`(site)`) add nothing
 * to the URL. Null when nothing serves it.
 */
function servingFile(urlPath: string, kind: Served): string | null {
  const segments = urlPath.split("/").filter(Boolean);
  const search = (dir: string, rest: string[]): string | null => {
    const entries = readdirSync(dir).filter((name) => statSync(path.join(dir, name)).isDirectory());
    const groups = entries.filter((name) => /^\(.+\)$/.test(name));
    if (rest.length === 0) {
      const file = path.join(dir, FILE_OF[kind]);
      if (existsSync(file)) return file;
    } else {
      const [head, ...tail] = rest;
      const candidates = [...entries.filter((name) => name === head), ...entries.filter((name) => /^\[[^.].*\]$/.test(name))];
      for (const name of candidates) {
        const found = search(path.join(dir, name), tail);
        if (found) return found;
      }
      for (const name of entries.filter((n) => /^\[\.\.\..+\]$/.test(n))) {
        const file = path.join(dir, name, FILE_OF[kind]);
        if (existsSync(file)) return file;
      }
    }
    for (const group of groups) {
      const found = search(path.join(dir, group), rest);
      if (found) return found;
    }
    return null;
  };
  return search(appDir, segments);
}

/** A path the twin's pattern matches: each capture group becomes a sample segment. */
function samplePath(twin: Twin): string {
  const sample = twin.pattern.source.replace(/^\^/, "").replace(/\$$/, "").replaceAll("([^/]+)", "sample").replaceAll("\\/", "/").replaceAll("\\.", ".");
  expect(twin.pattern.test(sample), `${twin.pattern} should match its sample ${sample}`).toBe(true);
  return sample;
}

function rewrite(twin: Twin): { from: string; to: string } {
  const from = samplePath(twin);
  const match = twin.pattern.exec(from);
  if (!match) throw new Error(`${twin.pattern} does not match ${from}`);
  return { from, to: twin.target(match) };
}

const relative = (file: string | null) => (file ? path.relative(root, file) : null);

describe("the front door's rewrite targets", () => {
  it.each(JSON_TWINS.map(rewrite))("JSON twin: page $from, everyone else $to", ({ from, to }) => {
    expect(relative(servingFile(from, "page")), `no page serves ${from}`).not.toBeNull();
    expect(relative(servingFile(to, "route")), `no route handler serves ${to}`).not.toBeNull();
  });

  it.each(PAGE_TWINS.map(rewrite))("page twin: JSON $from, browsers $to", ({ from, to }) => {
    expect(relative(servingFile(from, "route")), `no route handler serves ${from}`).not.toBeNull();
    expect(relative(servingFile(to, "page")), `no page serves ${to}`).not.toBeNull();
  });

  it("resolves paths the way Next's router does", () => {
    expect(relative(servingFile("/", "page"))).toBe("app/(site)/page.tsx");
    expect(relative(servingFile("/assets/record-run", "route"))).toBe("app/assets/record-run/route.ts");
    expect(relative(servingFile("/assets/anything", "route"))).toBe("app/assets/[name]/route.ts");
    expect(relative(servingFile("/auth/no/such/thing", "route"))).toBe("app/auth/[...path]/route.ts");
    expect(relative(servingFile("/api/nothing-here", "route"))).toBeNull();
  });
});

describe("docs/architecture.md's URL map", () => {
  const doc = readFileSync(path.join(root, "docs", "architecture.md"), "utf8");
  const section = doc.split(/^## Where each URL is served$/m)[1]?.split(/^## /m)[0] ?? "";
  const rows = section.split("\n").filter((line) => /^\| `/.test(line));

  it("has a row for every URL", () => {
    expect(rows.length).toBeGreaterThan(40);
  });

  it.each(rows.map((row) => [row.split("|")[1].trim(), row.split("|")[2]]))("%s names files that exist", (_url, servedBy) => {
    const files = [...servedBy.matchAll(/`([^`\s]+\.(?:tsx?|mjs))`/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(path.join(root, file)), `${file} does not exist`).toBe(true);
  });

  it("names every page and route handler under app/", () => {
    const named = new Set([...section.matchAll(/`(app\/[^`\s]+)`/g)].map((m) => m[1]));
    const served: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name === "route.ts" || name === "page.tsx") served.push(path.relative(root, full));
      }
    };
    walk(appDir);
    expect(served.filter((file) => !named.has(file))).toEqual([]);
  });
});
