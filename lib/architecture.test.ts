// The rules of docs/architecture.md that a test can hold: configuration is read in one place, the
// domain (lib/) stays free of the web framework and the UI library, every module is entered through
// its face (index.ts), the low layers import no domain module, components/ sits below app/, and
// every page and route file opens with the URL it serves.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx|mjs|js)$/.test(name)) out.push(rel);
  }
  return out;
}

const appCode = [...sources("lib"), ...sources("app"), ...sources("components"), "auth.ts"];

describe("architecture", () => {
  it("reads process.env only in lib/config.ts", () => {
    const offenders = appCode.filter(
      (f) => f !== path.join("lib", "config.ts") && !f.endsWith(".test.ts") && /process\.env\b/.test(readFileSync(path.join(root, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps next/*, next-auth and react out of lib/", () => {
    const forbidden = /from\s+["'](next(\/[^"']*)?|next-auth(\/[^"']*)?|react(-dom)?(\/[^"']*)?)["']/;
    const offenders = sources("lib").filter((f) => forbidden.test(readFileSync(path.join(root, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("has a header comment on each lib module's index", () => {
    const modules = readdirSync(path.join(root, "lib")).filter((d) => statSync(path.join(root, "lib", d)).isDirectory());
    const missing = modules.filter((m) => {
      const index = path.join(root, "lib", m, "index.ts");
      try {
        return !readFileSync(index, "utf8").startsWith("//");
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });

  it("enters every lib module through its face: no @/lib/<module>/<file> from outside that module (tests excepted)", () => {
    const offenders: string[] = [];
    for (const f of [...appCode, ...sources("scripts"), "instrumentation.ts"]) {
      // Tests, test helpers and benchmarks may reach a module's inner parts to measure them.
      if (f.endsWith(".test.ts") || f.startsWith(path.join("lib", "testing")) || f.startsWith(path.join("scripts", "bench"))) continue;
      const own = f.startsWith("lib" + path.sep) ? f.split(path.sep)[1] : null;
      const text = readFileSync(path.join(root, f), "utf8");
      for (const m of text.matchAll(/from\s+["'](?:@\/|(?:\.\.\/)+)lib\/([a-z0-9-]+)\/([^"']+)["']/g)) {
        const edge = `${f} -> lib/${m[1]}/${m[2]}`;
        if (m[1] !== own) offenders.push(edge);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("keeps the low layers (errors, urls, config, log, metrics, http, outbound, cache) free of every domain module", () => {
    const low = ["errors.ts", "urls.ts", "config.ts", "log", "metrics", "http", "outbound", "cache"];
    const domain = /from\s+["']@\/lib\/(accounts|anchors|callers|clients|federation|jobs|registry|renderers|runtime|site|tokens)["'/]/;
    const offenders = sources("lib").filter(
      (f) =>
        !f.endsWith(".test.ts") &&
        low.some((l) => f === path.join("lib", l) || f.startsWith(path.join("lib", l) + path.sep)) &&
        domain.test(readFileSync(path.join(root, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("opens every page, layout, error, not-found and route file under app/ with a // header", () => {
    const routeFile = /(^|\/)(page|layout|error|global-error|not-found)\.tsx$|(^|\/)route\.ts$/;
    const missing = sources("app").filter((f) => routeFile.test(f) && !readFileSync(path.join(root, f), "utf8").startsWith("//"));
    expect(missing).toEqual([]);
  });

  it("keeps components/ from importing app/ (by @/app or a relative path into it)", () => {
    const specifiers = /(?:\bfrom\s+|\bimport\s*\(?\s*)["']([^"']+)["']/g;
    const offenders = sources("components").filter((f) =>
      [...readFileSync(path.join(root, f), "utf8").matchAll(specifiers)].some(([, spec]) => {
        if (spec === "@/app" || spec.startsWith("@/app/")) return true;
        if (!spec.startsWith(".")) return false;
        const target = path.relative(root, path.resolve(root, path.dirname(f), spec));
        return target === "app" || target.startsWith(`app${path.sep}`);
      }),
    );
    expect(offenders).toEqual([]);
  });
});
