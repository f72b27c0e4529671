import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, findListedL1, loadConfig } from "./config";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("uses product.md's defaults with an empty environment", () => {
    const c = loadConfig({});
    expect(c.domain).toBe("localhost:8200");
    expect(c.scheme).toBe("http");
    expect(c.baseUrl).toBe("http://localhost:8200");
    expect(c.primaryUser).toBe("giles");
    expect(c.dataDir).toBe(path.join(os.homedir(), ".artdag", "l2"));
    expect(c.keysDir).toBe(path.join(os.homedir(), ".artdag", "l2", "keys"));
    expect(c.databaseUrl).toBeNull();
    expect(c.l1Servers).toEqual(["https://celery-artdag.rose-ash.com"]);
    expect(c.jwtSecret).toBeNull();
    expect(c.port).toBe(8200);
    expect(c.host).toBe("0.0.0.0");
    expect(c.federationAllowPrivateAddresses).toBe(false);
    expect(c.otsCalendars.length).toBeGreaterThanOrEqual(2);
    expect(c.otsEsploraUrl).toMatch(/^https:\/\//);
    expect(c.anchorIntervalMinutes).toBe(60);
    expect(c.rateLimitAnchor).toEqual({ max: 10, windowSeconds: 3600 });
  });

  it("derives https for a public domain and http for loopback ones", () => {
    expect(loadConfig({ ARTDAG_DOMAIN: "artdag.rose-ash.com" }).baseUrl).toBe("https://artdag.rose-ash.com");
    expect(loadConfig({ ARTDAG_DOMAIN: "127.0.0.1:9000" }).scheme).toBe("http");
    expect(loadConfig({ ARTDAG_DOMAIN: "localhost" }).scheme).toBe("http");
    expect(loadConfig({ ARTDAG_DOMAIN: "localhost:3000", ARTDAG_SCHEME: "https" }).baseUrl).toBe("https://localhost:3000");
  });

  it("keeps registration open unless REGISTRATION says closed or invite", () => {
    expect(loadConfig({}).registration).toBe("open");
    expect(loadConfig({ REGISTRATION: "" }).registration).toBe("open");
    expect(loadConfig({ REGISTRATION: " Closed " }).registration).toBe("closed");
    expect(loadConfig({ REGISTRATION: "invite" }).registration).toBe("invite");
  });

  it("normalises renderer URLs and drops duplicates", () => {
    const c = loadConfig({ L1_SERVERS: " https://L1.example.com/ , http://127.0.0.1:9100,https://l1.example.com" });
    expect(c.l1Servers).toEqual(["https://l1.example.com", "http://127.0.0.1:9100"]);
  });

  it("reads every variable of product.md §1", () => {
    const c = loadConfig({
      ARTDAG_USER: "alice",
      ARTDAG_DATA: "/srv/l2",
      DATABASE_URL: "postgresql://u@db/artdag",
      JWT_SECRET: "x".repeat(40),
      PORT: "9000",
      HOST: "127.0.0.1",
      FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true",
      OTS_CALENDARS: "http://127.0.0.1:1/,http://127.0.0.1:2",
      OTS_ESPLORA_URL: "http://127.0.0.1:3/api/",
      ANCHOR_INTERVAL_MINUTES: "0",
      REGISTRATION: "invite",
      RATE_LIMIT_ANCHOR: "3/600",
    });
    expect(c).toMatchObject({
      registration: "invite",
      primaryUser: "alice",
      dataDir: "/srv/l2",
      pgliteDir: "/srv/l2/pglite",
      databaseUrl: "postgresql://u@db/artdag",
      jwtSecret: "x".repeat(40),
      port: 9000,
      host: "127.0.0.1",
      federationAllowPrivateAddresses: true,
      otsCalendars: ["http://127.0.0.1:1", "http://127.0.0.1:2"],
      otsEsploraUrl: "http://127.0.0.1:3/api",
      anchorIntervalMinutes: 0,
      rateLimitAnchor: { max: 3, windowSeconds: 600 },
    });
  });

  it.each([
    [{ L1_SERVERS: "not-a-url" }, "L1_SERVERS", "is not a URL"],
    [{ L1_SERVERS: "ftp://l1.example.com" }, "L1_SERVERS", "http(s)"],
    [{ L1_SERVERS: "https://user:pw@l1.example.com" }, "L1_SERVERS", "credentials"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", "postgresql://"],
    [{ PORT: "eighty" }, "PORT", "whole number"],
    [{ PORT: "70000" }, "PORT", "outside"],
    [{ ARTDAG_USER: "Giles" }, "ARTDAG_USER", "valid username"],
    [{ ARTDAG_DOMAIN: "https://x.example" }, "ARTDAG_DOMAIN", "host[:port]"],
    [{ ARTDAG_SCHEME: "ftp" }, "ARTDAG_SCHEME", "http or https"],
    [{ JWT_SECRET: "short" }, "JWT_SECRET", "at least 32"],
    [{ FEDERATION_ALLOW_PRIVATE_ADDRESSES: "maybe" }, "FEDERATION_ALLOW_PRIVATE_ADDRESSES", "boolean"],
    [{ OTS_ESPLORA_URL: "nope" }, "OTS_ESPLORA_URL", "is not a URL"],
    [{ ANCHOR_INTERVAL_MINUTES: "-5" }, "ANCHOR_INTERVAL_MINUTES", "whole number"],
    [{ RATE_LIMIT_LOGIN: "ten" }, "RATE_LIMIT_LOGIN", "MAX/SECONDS"],
    [{ REGISTRATION: "invited" }, "REGISTRATION", "open, closed or invite"],
    [{ REGISTRATION: "true" }, "REGISTRATION", "open, closed or invite"],
    [{ RATE_LIMIT_ANCHOR: "0/60" }, "RATE_LIMIT_ANCHOR", "MAX/SECONDS"],
    [{ RATE_LIMIT_ANCHOR: "5 per hour" }, "RATE_LIMIT_ANCHOR", "MAX/SECONDS"],
    [{ DATABASE_URL: "postgresql://u@db/a", DATABASE_PASSWORD_FILE: "/nonexistent/pw" }, "DATABASE_PASSWORD_FILE", "cannot read /nonexistent/pw (ENOENT)"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL", "one of fatal, error, warn, info, debug, trace, silent"],
    [{ METRICS: "sometimes" }, "METRICS", "boolean"],
    [{ METRICS_PORT: "metrics" }, "METRICS_PORT", "whole number"],
    [{ METRICS_PORT: "8200" }, "METRICS_PORT", "the main PORT"],
    [{ METRICS_HOST: "127.0.0.1" }, "METRICS_HOST", "without METRICS_PORT"],
  ])("refuses %o with one message naming %s", (env, variable, problem) => {
    const err = configError(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
    expect(err.message).toContain(problem);
    expect(err.message).not.toContain("\n");
  });
});

describe("logs and metrics settings", () => {
  it("logs at info and serves no metrics unless told", () => {
    expect(loadConfig({})).toMatchObject({ logLevel: "info", metrics: { where: "off" } });
    expect(loadConfig({ LOG_LEVEL: " WARN " }).logLevel).toBe("warn");
  });

  it("serves metrics on the main port only with METRICS=true, and only on their own port when one is given", () => {
    expect(loadConfig({ METRICS: "true" }).metrics).toEqual({ where: "main" });
    expect(loadConfig({ METRICS_PORT: "9464", HOST: "0.0.0.0" }).metrics).toEqual({ where: "port", port: 9464, host: "0.0.0.0" });
    expect(loadConfig({ METRICS: "true", METRICS_PORT: "9464", METRICS_HOST: "127.0.0.1" }).metrics).toEqual({ where: "port", port: 9464, host: "127.0.0.1" });
    expect(loadConfig({ METRICS: "false", METRICS_PORT: "9464" }).metrics).toEqual({ where: "off" });
  });
});

describe("findListedL1", () => {
  const config = loadConfig({ L1_SERVERS: "https://celery-artdag.rose-ash.com,http://l1.example/base" });

  it("finds a listed renderer however its URL is spelled", () => {
    expect(findListedL1(config, "HTTPS://Celery-ArtDAG.rose-ash.com:443/")).toBe("https://celery-artdag.rose-ash.com");
    expect(findListedL1(config, " http://l1.example/base/ ")).toBe("http://l1.example/base");
  });

  it.each([
    "nope",
    "ftp://celery-artdag.rose-ash.com",
    "https://celery-artdag.rose-ash.com/?q=1",
    "https://celery-artdag.rose-ash.com#x",
    "https://u:p@celery-artdag.rose-ash.com",
    "https://celery-artdag.rose-ash.com.evil.com",
    "https://evil.com/https://celery-artdag.rose-ash.com",
    "//celery-artdag.rose-ash.com",
    "http://l1.example/base/../other",
    "javascript:alert(1)",
  ])("answers null for %s", (raw) => {
    expect(findListedL1(config, raw)).toBeNull();
  });

  it("takes the database password from DATABASE_PASSWORD_FILE (a Docker secret), escaped into DATABASE_URL", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "artdag-config-"));
    try {
      const file = path.join(dir, "postgres_password");
      writeFileSync(file, "p@ss:w/rd\n");
      const config = loadConfig({ DATABASE_URL: "postgresql://artdag@db:5432/artdag", DATABASE_PASSWORD_FILE: file });
      expect(config.databaseUrl).toBe("postgresql://artdag:p%40ss%3Aw%2Frd@db:5432/artdag");
      expect(decodeURIComponent(new URL(config.databaseUrl!).password)).toBe("p@ss:w/rd");
      writeFileSync(file, "");
      expect(configError({ DATABASE_URL: "postgresql://artdag@db/artdag", DATABASE_PASSWORD_FILE: file }).message).toBe(
        `DATABASE_PASSWORD_FILE: ${file} is empty`,
      );
      // Without DATABASE_URL (the embedded database) the file is not read.
      expect(loadConfig({ DATABASE_PASSWORD_FILE: path.join(dir, "absent") }).databaseUrl).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
