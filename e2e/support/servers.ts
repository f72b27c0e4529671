// The servers the suite talks to: two started by Playwright's webServer (playwright.config.ts) and
// the ports and data folders of the ones tests start themselves (support/spawn.ts). Every server
// listens on `localhost` and is configured with ARTDAG_DOMAIN = the same host:port the tests use,
// so the URLs it prints (actor ids, the `l2_server` claim) are the URLs the tests call.
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface ServerSpec {
  port: number;
  /** `http://localhost:PORT`: the base URL tests call and the server's public URL. */
  url: string;
  /** Data folder (ARTDAG_DATA), wiped before the server starts. */
  dataDir: string;
}

function spec(name: string, port: number): ServerSpec {
  return { port, url: `http://localhost:${port}`, dataDir: path.join(ROOT, ".data", `e2e-${name}`) };
}

/** HS256 secret of the main server, so tests can forge tokens exactly as it would sign them. */
export const MAIN_JWT_SECRET = "e2e-main-secret-0123456789abcdef0123456789abcdef";

/** The main server: PGlite, a known JWT secret, rate limits high enough never to interfere. */
export const MAIN = spec("main", 8311);
/** A second server with tight rate limits (RATE_LIMIT_LOGIN=3/60, RATE_LIMIT_REGISTER=2/60). */
export const RATE_LIMITED = spec("ratelimit", 8312);
/** Started and restarted by restart.spec.ts (generated secret, PGlite). */
export const RESTARTED = spec("restart", 8313);
/** Started by postgres.spec.ts on a fresh database of TEST_DATABASE_URL's server. */
export const POSTGRES = spec("postgres", 8314);
/**
 * Started by tls-proxy.spec.ts behind a real nginx terminating TLS on TLS_PROXY_PORT: its public
 * URL is https://localhost:TLS_PROXY_PORT, it listens on 127.0.0.1 only.
 */
export const BEHIND_TLS: ServerSpec = { port: 8380, url: "http://127.0.0.1:8380", dataDir: path.join(ROOT, ".data", "e2e-behind-tls") };
export const TLS_PROXY_PORT = 8381;
/** Started and stopped with SIGTERM by shutdown.spec.ts. */
export const DRAINED = spec("drained", 8382);
/** Started by anchor-rate-limit.spec.ts with RATE_LIMIT_ANCHOR=2/3600 (port range of issue #12 item 8). */
export const ANCHOR_LIMITED = spec("anchorlimit", 8340);
/** Used by start-up failure tests; these servers never get as far as listening. */
export const MISCONFIGURED = spec("misconfigured", 8315);
/** Started (and killed) by database-lock.spec.ts on PGlite. */
export const LOCKED = spec("dblock", 8350);
/** A second server on LOCKED's data folder (another port): the embedded database must refuse it. */
export const LOCKED_TWIN: ServerSpec = { ...spec("dblock-twin", 8351), dataDir: LOCKED.dataDir };
/** A replica of POSTGRES: same data folder (keys) and database, another port (postgres.spec.ts). */
export const POSTGRES_REPLICA: ServerSpec = { ...spec("postgres-replica", 8354), dataDir: POSTGRES.dataDir };
/**
 * Two replicas on one PostgreSQL database and one data folder (response-cache.spec.ts): a change
 * through one must reach the other's response cache. Both answer for CACHED_A's public host.
 */
export const CACHED_A = spec("cached-a", 8390);
export const CACHED_B: ServerSpec = { ...spec("cached-b", 8391), dataDir: CACHED_A.dataDir };
/**
 * Two replicas on one PostgreSQL database for verify-replicas.spec.ts: a token revoked through one
 * must be refused by the other's held verifications at once. Both answer for VERIFIED_A's host.
 */
export const VERIFIED_A = spec("verified-a", 8410);
export const VERIFIED_B: ServerSpec = { ...spec("verified-b", 8411), dataDir: VERIFIED_A.dataDir };
/** The caching nginx in front of CACHED_A and CACHED_B (response-cache.spec.ts). */
export const CACHING_PROXY_PORT = 8392;
/**
 * Two replicas on one PostgreSQL database and one data folder (replicas.spec.ts, issue #13 item 4):
 * revocations, replays, rate limits, jobs, keys and caches behave as on one server. Both answer for
 * REPLICA_A's public host.
 */
export const REPLICA_A = spec("replica-a", 8480);
export const REPLICA_B: ServerSpec = { ...spec("replica-b", 8481), dataDir: REPLICA_A.dataDir };
/** REGISTRATION=closed (registration.spec.ts). */
/** Started by observability.spec.ts: JSON logs, access lines and /metrics (METRICS_PORT = OBSERVED_METRICS_PORT). */
export const OBSERVED = spec("observed", 8490);
export const OBSERVED_METRICS_PORT = 8491;
export const REGISTRATION_CLOSED = spec("registration-closed", 8352);
/** REGISTRATION=invite (registration.spec.ts). */
export const REGISTRATION_INVITE = spec("registration-invite", 8353);

/**
 * The fake L1 renderer (e2e/fixtures/fake-l1.ts) started by playwright.config.ts for the main
 * server's record-run and renderer tests (it verifies renderer logins at MAIN). It listens on
 * 127.0.0.1, so this exact URL is what L1_SERVERS lists, and what it sends as `l1_server`.
 */
export const FAKE_L1 = { port: 8319, url: "http://127.0.0.1:8319" };
/** A second L1 the main server lists but nothing listens on (record-run → 502). */
export const DOWN_L1 = { port: 8318, url: "http://127.0.0.1:8318" };
/**
 * A third listed L1 that only runs while a test runs it in-process (startFakeL1 with its own
 * routes): runs of the test's own making, and a log of exactly what L2 requested.
 */
export const SCRIPTED_L1 = { port: 8317, url: "http://127.0.0.1:8317" };
/**
 * The OpenTimestamps stubs started by playwright.config.ts (e2e/fixtures/ots-calendar.ts, esplora.ts):
 * two calendars (MAIN's OTS_CALENDARS) mining into one Esplora stub (MAIN's OTS_ESPLORA_URL).
 * Their pending attestations name these exact URLs.
 */
export const OTS_CALENDAR_A = { port: 8321, url: "http://127.0.0.1:8321" };
export const OTS_CALENDAR_B = { port: 8322, url: "http://127.0.0.1:8322" };
export const OTS_ESPLORA = { port: 8323, url: "http://127.0.0.1:8323" };
/** OpenTimestamps configuration of the main server. */
export const MAIN_OTS = { OTS_CALENDARS: `${OTS_CALENDAR_A.url},${OTS_CALENDAR_B.url}`, OTS_ESPLORA_URL: OTS_ESPLORA.url };
/** L1_SERVERS of the main server. */
export const MAIN_L1_SERVERS = `${FAKE_L1.url},${DOWN_L1.url},${SCRIPTED_L1.url}`;

/** Rate limits that a whole suite run cannot reach (all requests come from one address). */
export const NO_RATE_LIMITS = { RATE_LIMIT_LOGIN: "100000/60", RATE_LIMIT_REGISTER: "100000/60", RATE_LIMIT_ANCHOR: "100000/60" };

/**
 * The configuration of a server, every variable that matters stated, so nothing leaks in from the
 * shell that runs the suite (webServer merges these over process.env; DATABASE_URL "" means unset).
 */
export function serverEnv(server: ServerSpec, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ARTDAG_DATA: server.dataDir,
    ARTDAG_DOMAIN: `localhost:${server.port}`,
    // No container secret (/run/secrets/jwt_secret) of the machine may be picked up.
    ARTDAG_SECRETS_DIR: path.join(server.dataDir, "no-secrets"),
    PORT: String(server.port),
    HOST: "localhost",
    ARTDAG_USER: "giles",
    ARTDAG_SCHEME: "http",
    DATABASE_URL: "",
    L1_SERVERS: "http://localhost:8399",
    TRUST_PROXY: "false",
    MIGRATE_ON_START: "true",
    SESSION_TTL_SECONDS: "86400",
    ANCHOR_INTERVAL_MINUTES: "0",
    // Only the main server may fetch from and deliver to loopback: the Fedify peer of
    // federation-interop.spec.ts listens on 127.0.0.1 in the test process.
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: server.port === MAIN.port ? "true" : "false",
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
}

/**
 * The fault tests' own servers (faults-*.spec.ts), killed with `kill -9`, restarted, and run on a
 * PostgreSQL of their own (support/pg-instance.ts) on FAULTS_PG_PORTS.
 */
export const FAULTS_PGLITE = spec("faults-pglite", 8370);
export const FAULTS_POSTGRES = spec("faults-postgres", 8371);
export const FAULTS_OUTAGE = spec("faults-outage", 8372);
export const FAULTS_RENDERERS = spec("faults-renderers", 8373);
/** An L1 of FAULTS_RENDERERS that a test runs, stops and hangs itself. */
export const FAULTS_L1 = { port: 8374, url: "http://127.0.0.1:8374" };
/** Ports for the fault tests' own PostgreSQL instances. */
export const FAULTS_PG_PORTS = [5440, 5441, 5442, 5443, 5444, 5445, 5446, 5447, 5448, 5449];
