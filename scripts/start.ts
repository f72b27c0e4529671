// `npm start` (flags: --build-only, --no-build, --dev): checks the configuration (one clear line on
// a problem), builds the app when its sources changed and the downloadable CLI client, then serves
// it on HOST:PORT through the front door (lib/front: client address, trusted proxy headers, body
// limits, negotiation, the response cache of public documents, health, drain). `npm run dev` is the
// same front around Next's development server. SIGTERM drains: stop accepting, let in-flight
// requests finish (SHUTDOWN_TIMEOUT_SECONDS), stop the queue and the database. Logs are JSON lines
// (lib/log), with one access line per request; GET /metrics is served where METRICS asks (lib/metrics).
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { stop as stopEsbuild } from "esbuild";
import pg from "pg";
import { ConfigError, findListedL1, getConfig, type Config } from "../lib/config";
import { DatabaseLockedError, lockDatabaseFolder } from "../lib/db";
import { listenForCachePurges, onCachePurge, setPurgeFeed, verifiedTokens, type PurgeSubscription } from "../lib/cache";
import { answerClientError, createFrontDoor, createResponseCache, createRouteNamer, type AnsweredRequest } from "../lib/front";
import { flushLogs, getLogger, routeConsoleToLogger } from "../lib/log";
import { enableMetrics, recordRequest, serveMetrics } from "../lib/metrics";
import { CLIENT_BUNDLE } from "../lib/site";
import { buildClient } from "./build-client";
import { buildFingerprint, FINGERPRINT_FILE } from "./build-fingerprint";

const root = path.resolve(import.meta.dirname, "..");

/** Set once the server logs JSON lines (after the checks at start): a refusal is then one too. */
let structuredOutput = false;

function fail(message: string): never {
  if (structuredOutput) {
    getLogger().fatal({ component: "server" }, message);
    flushLogs();
  } else {
    process.stderr.write(`artdag-l2: ${message}\n`);
  }
  process.exit(1);
}

async function checkEnvironment(config: Config) {
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    accessSync(config.dataDir, constants.W_OK | constants.R_OK);
  } catch (err) {
    fail(`ARTDAG_DATA: cannot use ${config.dataDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!config.databaseUrl) {
    // Fail before building and listening when another process has the embedded database. The
    // runtime takes the lock for good when it opens the database (lib/db).
    try {
      await (await lockDatabaseFolder(config.pgliteDir)).release();
    } catch (err) {
      fail(err instanceof DatabaseLockedError ? err.message : (err as Error).message);
    }
  } else {
    const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query("select 1");
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      fail(`DATABASE_URL: cannot connect to the database (${e.code ?? e.message})`);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function ensureBuild() {
  const fingerprint = buildFingerprint(root);
  const file = path.join(root, FINGERPRINT_FILE);
  const built = existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(file) && readFileSync(file, "utf8") === fingerprint;
  if (built) return;
  const log = getLogger();
  log.info({ component: "server" }, "building the app (first start, or the sources changed; about a minute)…");
  const started = performance.now();
  // Next's report (its route table, its progress) is shown only when it matters: the build failed,
  // or it warned about something. A warning is never hidden.
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  const report = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) {
    process.stderr.write(report);
    fail(`the build failed (${r.error ? r.error.message : "Next's report is above"})`);
  }
  if (/⚠|\bwarn(ing)?\b/i.test(report)) process.stderr.write(report);
  writeFileSync(file, fingerprint);
  log.info({ component: "server" }, `built in ${Math.round((performance.now() - started) / 1000)} s`);
}

/**
 * The CLI client file /download/client serves (scripts/build-client.ts). Bundling it takes well
 * under a second, so it is rebuilt on every start; with --no-build only when it is missing, as
 * several servers may then start at once from one folder.
 */
async function ensureClient(rebuild: boolean) {
  if (!rebuild && existsSync(path.join(root, CLIENT_BUNDLE))) return;
  try {
    await buildClient();
  } catch (err) {
    fail(`building the CLI client failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Else esbuild's idle service process would live beside the server for as long as it runs.
  await stopEsbuild();
}

/**
 * Start-up's one line for people: `ready: <public URL>`, once GET /readyz answers 200. Next runs
 * instrumentation (database, migrations, keys, queue) on its first request, so asking now also makes
 * a broken database stop start-up instead of failing the first visitor's request. While it is not
 * ready (a PostgreSQL server still starting), one warning after 15 s says why, and it keeps asking.
 */
async function announceReady(config: Config, stopping: () => boolean): Promise<void> {
  const local = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${local.includes(":") ? `[${local}]` : local}:${config.port}/readyz`;
  const since = Date.now();
  let warned = false;
  while (!stopping()) {
    const res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(30_000) }).catch(() => null);
    const body = res ? await res.text().catch(() => "") : "";
    if (res?.status === 200) {
      const listening = `${config.host}:${config.port}`;
      getLogger().info({ component: "server", url: config.baseUrl, listening }, `ready: ${config.baseUrl} (listening on ${listening})`);
      return;
    }
    if (!warned && Date.now() - since > 15_000) {
      warned = true;
      getLogger().warn({ component: "server" }, `not ready yet: GET /readyz answered ${res ? `${res.status} ${body.slice(0, 300)}` : "nothing"}; still asking`);
    }
    await new Promise((resolve) => setTimeout(resolve, res ? 500 : 200));
  }
}

/** Paths a health check or a scraper asks for every few seconds: their access lines are debug. */
const ROUTINE_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * One access line per request (request id, method, route, path without its query, status,
 * duration, client, whether memory answered), and the request metrics when they are on. No header,
 * query or body is logged, so no token or password can reach the log.
 */
function accessLog(appDir: string): (answered: AnsweredRequest) => void {
  const routeOf = createRouteNamer(appDir);
  return (a) => {
    const route = routeOf(a.path);
    recordRequest(a.method, route, a.status, a.durationMs / 1000);
    const log = getLogger();
    const level = ROUTINE_ROUTES.has(route) ? "debug" : "info";
    if (!log.isLevelEnabled(level)) return;
    const ms = Math.round(a.durationMs * 10) / 10;
    const path = a.path.length > 512 ? `${a.path.slice(0, 512)}…` : a.path;
    log[level](
      { component: "access", reqId: a.requestId, method: a.method, route, path, status: a.status, ms, client: a.client, cached: a.cached },
      `${a.method} ${path} ${a.status} ${ms} ms`,
    );
  };
}

/**
 * GET /metrics on a port of its own (METRICS_PORT, bound to METRICS_HOST): the public port never
 * answers it, so the operator's firewall or network decides who scrapes.
 */
function serveMetricsOnOwnPort(host: string, port: number): http.Server {
  const server = http.createServer((req, res) => {
    if ((req.url ?? "/").split("?")[0] === "/metrics") {
      serveMetrics(req, res).catch((err: unknown) => {
        getLogger().error({ component: "metrics", err }, "collecting the metrics failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: "internal_error", message: "Collecting the metrics failed." }));
      });
      return;
    }
    res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: "not_found", message: "This port serves GET /metrics only." }));
  });
  server.on("error", (err) => fail(`METRICS_PORT: cannot listen on ${host}:${port} (${(err as NodeJS.ErrnoException).code})`));
  server.listen(port, host, () => getLogger().info({ component: "server" }, `metrics on http://${host}:${port}/metrics`));
  return server;
}

async function main() {
  let config: Config;
  try {
    config = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (process.argv.includes("--build-only")) {
    ensureBuild();
    await ensureClient(true);
    return;
  }
  await checkEnvironment(config);
  const dev = process.argv.includes("--dev");
  const noBuild = process.argv.includes("--no-build");
  if (!dev && !noBuild) ensureBuild();
  await ensureClient(!noBuild);

  Object.assign(process.env, { NODE_ENV: dev ? "development" : "production", NEXT_TELEMETRY_DISABLED: "1" });
  // From here on, everything the server prints is a log line (lib/log), what libraries print too.
  routeConsoleToLogger();
  structuredOutput = true;
  const { default: next } = await import("next");
  const app = next({ dev, dir: root, hostname: config.host, port: config.port });
  const handle = app.getRequestHandler();
  await app.prepare();

  // Public documents from memory (FRONT_CACHE_MB, 0 = off), purged by tag when the database says so:
  // on PostgreSQL through this dedicated LISTEN connection (every replica gets every purge), on
  // PGlite relayed by the runtime in this process. A reconnect may have missed purges: start afresh.
  // The same listener is what lets positive token verifications (POST /auth/verify) be answered from
  // memory: while it is down they are not (its feed says so), and what was held is dropped.
  const cache = createResponseCache({ maxBytes: config.frontCacheBytes });
  onCachePurge((tags) => cache.purge(tags));
  let purges: PurgeSubscription | null = null;
  if (config.databaseUrl) {
    const verified = verifiedTokens();
    purges = listenForCachePurges(config.databaseUrl, {
      onReconnect: () => {
        cache.clear();
        verified.clear();
      },
      onDown: () => verified.clear(),
    });
    setPurgeFeed(purges.feed);
  }
  if (config.metrics.where !== "off") enableMetrics();
  const front = createFrontDoor({
    config,
    dev,
    cache,
    metrics: config.metrics.where === "main" ? serveMetrics : undefined,
    onAnswered: accessLog(root),
    handle: (req, res) => handle(req, res),
    // A renderer login answered from memory when this token was verified for this L1 before.
    verifiedToken: async (token, rawL1) => {
      const l1 = findListedL1(config, rawL1);
      return l1 ? ((await verifiedTokens().lookup(token, l1, Date.now()))?.text ?? null) : null;
    },
  });
  const server = http.createServer(front.listener);
  server.on("clientError", answerClientError);
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, config.host, () => {
    getLogger().debug({ component: "server" }, `listening on http://${config.host}:${config.port}`);
    void announceReady(config, () => stopping);
  });
  server.on("error", (err) => fail(`PORT: cannot listen on ${config.host}:${config.port} (${(err as NodeJS.ErrnoException).code})`));
  const metricsServer = config.metrics.where === "port" ? serveMetricsOnOwnPort(config.metrics.host, config.metrics.port) : null;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const log = getLogger();
    log.info({ component: "server" }, `stopping (${signal}): ${front.inFlight()} request(s) in flight, waiting up to ${config.shutdownTimeoutSeconds} s`);
    const { cutOff } = await front.drain(server, config.shutdownTimeoutSeconds * 1000);
    if (cutOff > 0) log.warn({ component: "server", cutOff }, `${cutOff} request(s) did not finish in time and were cut off`);
    metricsServer?.close();
    await purges?.close();
    const { stopRuntime } = await import("../lib/runtime");
    await stopRuntime();
    log.info({ component: "server" }, "stopped");
    flushLogs();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => fail(`start-up failed: ${err instanceof Error ? err.message : String(err)}`));
