// The logger's format as a log collector reads it: one JSON object per line, the level by name, an
// ISO time, the fields given, and credentials never written whatever object carries them.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger, errorMessage, getLogger, routeConsoleToLogger, useLogger } from "./index";
import { captureLogs } from "@/lib/testing";

describe("the logger", () => {
  it("writes one JSON object per line with the level's name, an ISO time and the fields given", () => {
    const { logger, lines } = captureLogs("info");
    logger.info({ component: "jobs", resumed: 2 }, "resumed 2 job(s)");
    logger.debug({ component: "jobs" }, "below the level");
    logger.error({ component: "route", err: new Error("boom") }, "unexpected error");
    const entries = lines();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ level: "info", pid: process.pid, component: "jobs", resumed: 2, msg: "resumed 2 job(s)" });
    expect(new Date(entries[0].time as string).toISOString()).toBe(entries[0].time);
    expect(entries[1]).toMatchObject({ level: "error", msg: "unexpected error", err: { type: "Error", message: "boom" } });
    expect((entries[1].err as { stack: string }).stack).toContain("log.test.ts");
  });

  it("never writes a token, password, secret, cookie or authorization it is handed (at the top, or in headers)", () => {
    const { logger, raw } = captureLogs("info");
    logger.info({ token: "tok-123", password: "pw-456", headers: { authorization: "Bearer abc-789", cookie: "s=def-000" }, secret: "sec-111" }, "careless");
    const text = raw();
    for (const secret of ["tok-123", "pw-456", "abc-789", "def-000", "sec-111"]) expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)).toHaveLength(5);
  });

  it("is silent at LOG_LEVEL=silent", () => {
    const { logger, raw } = captureLogs("silent");
    logger.fatal("nothing");
    expect(raw()).toBe("");
  });

  it("is one instance per process, replaceable in tests", () => {
    const { logger } = captureLogs("info");
    const restore = useLogger(logger);
    try {
      expect(getLogger()).toBe(logger);
    } finally {
      restore();
    }
    expect(getLogger()).not.toBe(logger);
    expect(createLogger({ level: "warn", destination: { write() {} } }).level).toBe("warn");
  });

  it("names a thrown value in one line", () => {
    expect(errorMessage(new Error("gone"))).toBe("gone");
    expect(errorMessage("plain")).toBe("plain");
  });
});

describe("console output of libraries", () => {
  it("goes through the logger as JSON lines at the matching level, until undone", () => {
    const { logger, lines } = captureLogs("debug");
    const restoreLogger = useLogger(logger);
    const undo = routeConsoleToLogger();
    try {
      console.log("listening to %s", "pg-boss");
      console.log("✓ Running %s took %dms", "next.config.mjs", 131);
      console.warn("a warning");
      console.error(new Error("from a page"));
    } finally {
      undo();
      restoreLogger();
    }
    const entries = lines();
    expect(entries.map((e) => [e.level, e.component])).toEqual([
      ["info", "console"],
      // Next's note of how long loading its configuration took, on every start: debug.
      ["debug", "console"],
      ["warn", "console"],
      ["error", "console"],
    ]);
    expect(entries[0].msg).toBe("listening to pg-boss");
    expect(entries[1].msg).toBe("✓ Running next.config.mjs took 131ms");
    expect(entries[3].msg).toMatch(/^Error: from a page\n\s+at /);
    expect(console.log).not.toBe(undefined);
    expect(String(console.log)).not.toContain("getLogger");
  });
});

describe("the process's output", () => {
  const FIXTURE = path.resolve("lib/log/logs-to.fixture.ts");
  const env = { ...process.env, LOG_LEVEL: "info", NO_COLOR: undefined, FORCE_COLOR: undefined };

  it("on pipes: JSON lines, info on stdout and error on stderr", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", FIXTURE], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ level: "info", component: "fixture", msg: "hello from the fixture" });
    expect(JSON.parse(r.stderr)).toMatchObject({ level: "error", component: "fixture", msg: "an error from the fixture" });
  });

  it("on a terminal: coloured text lines, not JSON", () => {
    // script(1) runs the fixture with a pseudo-terminal as its stdout.
    const command = [process.execPath, "--import", "tsx", FIXTURE].map((a) => `'${a}'`).join(" ");
    const r = spawnSync("script", ["-qec", command, "/dev/null"], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split(/\r?\n/).filter((l) => l.includes("fixture"));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.startsWith("{"), line).toBe(false);
      expect(line).toMatch(/\u001b\[\d+m/); // ANSI colour
    }
    expect(lines[0]).toMatch(/INFO.*fixture: hello from the fixture/);
    expect(lines[1]).toMatch(/ERROR.*fixture: an error from the fixture/);
  });
});
