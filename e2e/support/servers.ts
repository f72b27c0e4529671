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
/** Used by start-up failure tests; these servers never get as far as listening. */
export const MISCONFIGURED = spec("misconfigured", 8315);

/** Rate limits that a whole suite run cannot reach (all requests come from one address). */
export const NO_RATE_LIMITS = { RATE_LIMIT_LOGIN: "100000/60", RATE_LIMIT_REGISTER: "100000/60" };

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
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
}
