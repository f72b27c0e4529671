// The only reader of process.env (an architecture test enforces it). Everything the product can be
// configured with is read, validated and typed here once; product.md §1 is the contract.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * DATABASE_URL with the password read from a file (DATABASE_PASSWORD_FILE, e.g. a Docker secret
 * `/run/secrets/postgres_password`), so the password is in neither the environment nor the compose file.
 */
function withPasswordFrom(databaseUrl: string, file: string): string {
  let password: string;
  try {
    password = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (err) {
    throw new ConfigError("DATABASE_PASSWORD_FILE", `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!password) throw new ConfigError("DATABASE_PASSWORD_FILE", `${file} is empty`);
  const url = new URL(databaseUrl);
  url.password = encodeURIComponent(password);
  return url.toString();
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

export interface RateLimit {
  /** Requests allowed in one window. */
  max: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

export interface Config {
  /** Public host[:port], as it appears in every URL and handle. */
  domain: string;
  scheme: "http" | "https";
  /** `${scheme}://${domain}`, no trailing slash. */
  baseUrl: string;
  primaryUser: string;
  dataDir: string;
  keysDir: string;
  pgliteDir: string;
  databaseUrl: string | null;
  /** Renderer origins (normalised: no trailing slash, lower-case host). */
  l1Servers: string[];
  /** JWT_SECRET when set; lib/tokens falls back to the secrets file, then a generated one. */
  jwtSecret: string | null;
  /** Folder of container secrets (`/run/secrets`); a variable only so tests can point elsewhere. */
  secretsDir: string;
  port: number;
  host: string;
  federationAllowPrivateAddresses: boolean;
  otsCalendars: string[];
  otsEsploraUrl: string;
  anchorIntervalMinutes: number;
  /** Trust X-Forwarded-For from a reverse proxy for the client address (rate limits). */
  trustProxy: boolean;
  rateLimitLogin: RateLimit;
  rateLimitRegister: RateLimit;
  /** `POST /anchors` (anchor now) per user: each call may batch and submit to every calendar. */
  rateLimitAnchor: RateLimit;
  /** Lifetime of login tokens and browser sessions, in seconds. */
  sessionTtlSeconds: number;
  /**
   * Who may create an account: anyone (`open`), nobody through the site or API (`closed`: the operator
   * uses `npm run create-user`), or holders of a single-use invite from `npm run invite` (`invite`).
   */
  registration: "open" | "closed" | "invite";
  /** Apply committed migrations when the database is first opened. */
  migrateOnStart: boolean;
  /** On SIGTERM, how long in-flight requests may take to finish before they are cut off. */
  shutdownTimeoutSeconds: number;
  /**
   * `max-age` of public documents (actor, WebFinger, NodeInfo, objects, activities, public
   * collections): how long any shared cache (ours, nginx, a follower's server) may serve one without
   * asking again. Our own cache is purged at once on a change; this bounds how stale a copy elsewhere
   * (or ours, if a purge notification is lost) can be.
   */
  publicCacheSeconds: number;
  /** Memory the front door's response cache may hold, in bytes; 0 turns the cache off. */
  frontCacheBytes: number;
  /** Least severe log level written (pino's names; `silent` writes nothing). */
  logLevel: LogLevel;
  /**
   * Where GET /metrics (Prometheus) is served: nowhere (the default), on the main port (METRICS=true:
   * keep /metrics from the public at the proxy), or only on a port of its own (METRICS_PORT, bound to
   * METRICS_HOST), which the public port never answers.
   */
  metrics: { where: "off" } | { where: "main" } | { where: "port"; port: number; host: string };
  production: boolean;
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function logLevel(raw: string | undefined): LogLevel {
  const level = (raw ?? "").trim().toLowerCase() || "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError("LOG_LEVEL", `'${raw}' must be one of ${LOG_LEVELS.join(", ")}`);
  }
  return level as LogLevel;
}

function metricsSetting(env: Env, port: number, host: string): Config["metrics"] {
  const enabled = bool("METRICS", env.METRICS, false);
  // METRICS=false turns them off even with a port given.
  const explicitlyOff = env.METRICS?.trim() && !enabled;
  if (env.METRICS_PORT?.trim() && !explicitlyOff) {
    const metricsPort = int("METRICS_PORT", env.METRICS_PORT, 9464, 1, 65535);
    if (metricsPort === port) throw new ConfigError("METRICS_PORT", `${metricsPort} is the main PORT; give metrics a port of their own`);
    return { where: "port", port: metricsPort, host: env.METRICS_HOST?.trim() || host };
  }
  if (env.METRICS_HOST?.trim()) throw new ConfigError("METRICS_HOST", "is set without METRICS_PORT");
  return enabled ? { where: "main" } : { where: "off" };
}

export type Env = Record<string, string | undefined>;

const USERNAME = /^[a-z0-9_]{1,32}$/;
// The calendars themselves rather than the *.pool aggregators in front of them: a pending
// attestation names the calendar, and upgrades ask only configured URLs, so the URL submitted to
// must be the URL that later serves /timestamp/<commitment>.
const DEFAULT_CALENDARS = [
  "https://alice.btc.calendar.opentimestamps.org",
  "https://bob.btc.calendar.opentimestamps.org",
  "https://finney.calendar.eternitywall.com",
];
const DEFAULT_ESPLORA = "https://blockstream.info/api";

function httpUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `'${raw}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(variable, `'${raw}' is not an http(s) URL`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(variable, `'${raw}' must not carry credentials, a query or a fragment`);
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}

function urlList(variable: string, raw: string | undefined, fallback: string[]): string[] {
  if (raw === undefined || raw.trim() === "") return fallback;
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => httpUrl(variable, s));
  return [...new Set(items)];
}

function bool(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(variable, `'${raw}' is not a boolean (true or false)`);
}

function int(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(variable, `'${raw}' is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(variable, `${n} is outside ${min}–${max}`);
  return n;
}

function rateLimit(variable: string, raw: string | undefined, fallback: RateLimit): RateLimit {
  if (raw === undefined || raw === "") return fallback;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*s?\s*$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new ConfigError(variable, `'${raw}' is not of the form MAX/SECONDS (e.g. 10/60)`);
  }
  return { max: Number(m[1]), windowSeconds: Number(m[2]) };
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Reads and validates the configuration from an environment; throws ConfigError naming the variable. */
export function loadConfig(env: Env): Config {
  const domain = (env.ARTDAG_DOMAIN ?? "localhost:8200").trim();
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/.test(domain)) {
    throw new ConfigError("ARTDAG_DOMAIN", `'${domain}' is not a host[:port]`);
  }
  const hostOnly = domain.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const local = hostOnly === "localhost" || hostOnly.startsWith("127.") || hostOnly === "::1";
  const schemeRaw = env.ARTDAG_SCHEME?.trim();
  if (schemeRaw && schemeRaw !== "http" && schemeRaw !== "https") {
    throw new ConfigError("ARTDAG_SCHEME", `'${schemeRaw}' must be http or https`);
  }
  const scheme = (schemeRaw || (local ? "http" : "https")) as "http" | "https";

  const primaryUser = (env.ARTDAG_USER ?? "giles").trim();
  if (!USERNAME.test(primaryUser)) {
    throw new ConfigError("ARTDAG_USER", `'${primaryUser}' is not a valid username ([a-z0-9_]{1,32})`);
  }

  const dataDir = path.resolve(expandHome((env.ARTDAG_DATA ?? "~/.artdag/l2").trim()));

  let databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL", "must be a postgresql:// URL (unset it to use the embedded database)");
  }
  if (databaseUrl && env.DATABASE_PASSWORD_FILE?.trim()) {
    databaseUrl = withPasswordFrom(databaseUrl, env.DATABASE_PASSWORD_FILE.trim());
  }

  const l1Servers = urlList("L1_SERVERS", env.L1_SERVERS, ["https://celery-artdag.rose-ash.com"]);

  const jwtSecret = env.JWT_SECRET ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    throw new ConfigError("JWT_SECRET", "must be at least 32 characters (e.g. `openssl rand -hex 32`)");
  }

  const registration = (env.REGISTRATION ?? "").trim().toLowerCase() || "open";
  if (registration !== "open" && registration !== "closed" && registration !== "invite") {
    throw new ConfigError("REGISTRATION", `'${env.REGISTRATION}' must be open, closed or invite`);
  }

  const host = (env.HOST ?? "0.0.0.0").trim();
  if (!host) throw new ConfigError("HOST", "must not be empty");
  const port = int("PORT", env.PORT, 8200, 1, 65535);

  return {
    domain,
    scheme,
    baseUrl: `${scheme}://${domain}`,
    primaryUser,
    dataDir,
    keysDir: path.join(dataDir, "keys"),
    pgliteDir: path.join(dataDir, "pglite"),
    databaseUrl,
    l1Servers,
    jwtSecret,
    secretsDir: env.ARTDAG_SECRETS_DIR?.trim() || "/run/secrets",
    port,
    host,
    federationAllowPrivateAddresses: bool("FEDERATION_ALLOW_PRIVATE_ADDRESSES", env.FEDERATION_ALLOW_PRIVATE_ADDRESSES, false),
    otsCalendars: urlList("OTS_CALENDARS", env.OTS_CALENDARS, DEFAULT_CALENDARS),
    otsEsploraUrl: env.OTS_ESPLORA_URL?.trim() ? httpUrl("OTS_ESPLORA_URL", env.OTS_ESPLORA_URL.trim()) : DEFAULT_ESPLORA,
    anchorIntervalMinutes: int("ANCHOR_INTERVAL_MINUTES", env.ANCHOR_INTERVAL_MINUTES, 60, 0, 10080),
    trustProxy: bool("TRUST_PROXY", env.TRUST_PROXY, false),
    rateLimitLogin: rateLimit("RATE_LIMIT_LOGIN", env.RATE_LIMIT_LOGIN, { max: 10, windowSeconds: 60 }),
    rateLimitRegister: rateLimit("RATE_LIMIT_REGISTER", env.RATE_LIMIT_REGISTER, { max: 10, windowSeconds: 3600 }),
    rateLimitAnchor: rateLimit("RATE_LIMIT_ANCHOR", env.RATE_LIMIT_ANCHOR, { max: 10, windowSeconds: 3600 }),
    sessionTtlSeconds: int("SESSION_TTL_SECONDS", env.SESSION_TTL_SECONDS, 30 * 24 * 3600, 60, 365 * 24 * 3600),
    registration,
    migrateOnStart: bool("MIGRATE_ON_START", env.MIGRATE_ON_START, true),
    shutdownTimeoutSeconds: int("SHUTDOWN_TIMEOUT_SECONDS", env.SHUTDOWN_TIMEOUT_SECONDS, 10, 0, 3600),
    // 60 s: a follower's server fetching the actor and its key once a minute at most, while a profile
    // or key change reaches every other cache within a minute.
    publicCacheSeconds: int("PUBLIC_CACHE_SECONDS", env.PUBLIC_CACHE_SECONDS, 60, 0, 86_400),
    frontCacheBytes: int("FRONT_CACHE_MB", env.FRONT_CACHE_MB, 64, 0, 65_536) * 1024 * 1024,
    logLevel: logLevel(env.LOG_LEVEL),
    metrics: metricsSetting(env, port, host),
    production: env.NODE_ENV === "production",
  };
}

declare const listedL1: unique symbol;
/** An L1 URL that has been found in L1_SERVERS (only findListedL1 makes one). */
export type ListedL1 = string & { readonly [listedL1]: true };

/**
 * The configured renderer that `raw` names, normalised the way L1_SERVERS is (lower-case origin, no
 * trailing slash), or null: the one check every use of an L1 URL from a request goes through.
 */
export function findListedL1(config: Pick<Config, "l1Servers">, raw: string): ListedL1 | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.search || url.hash || url.username || url.password) return null;
  const normalized = url.origin + url.pathname.replace(/\/+$/, "");
  return config.l1Servers.includes(normalized) ? (normalized as ListedL1) : null;
}

let cached: Config | undefined;

/** The process's configuration, read from process.env once. @throws ConfigError */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}

/** Tests only: the PostgreSQL server database tests also run on (TEST_DATABASE_URL), or null. */
export function testDatabaseUrl(): string | null {
  return process.env.TEST_DATABASE_URL?.trim() || null;
}
