// Which failures mean "the database cannot be reached right now" (a restart, an outage, a full
// pool) rather than a bug: they answer 503 with a reason, and the app recovers by itself once the
// database is back. Kept free of Prisma and pg imports so the error mapper can use it anywhere.

/** Prisma's codes for an unreachable or overwhelmed database server. */
const PRISMA_UNAVAILABLE = new Set([
  "P1001", // can't reach the database server
  "P1002", // the server was reached but timed out
  "P1008", // operations timed out
  "P1017", // the server closed the connection
  "P2024", // timed out fetching a connection from the pool
]);

/** Driver adapter error kinds (@prisma/adapter-pg) for the same. */
const ADAPTER_UNAVAILABLE = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** Socket errors of the pg driver itself (pg-boss, raw clients). */
const SOCKET_UNAVAILABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01–57P03 (shut down by an administrator,
 * crash shutdown, cannot connect now: starting up or shutting down), 53300 (too many connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300";
}

/** Messages of pg and Prisma that carry no code but say the same. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not open|Unable to start a transaction in the given time|PGlite is clos(ed|ing)/i;

type Inspectable = { code?: unknown; kind?: unknown; message?: unknown; meta?: unknown; cause?: unknown; errors?: unknown };

function inspect(err: unknown, depth: number): boolean {
  if (depth > 6 || typeof err !== "object" || err === null) return false;
  const e = err as Inspectable;
  const code = typeof e.code === "string" ? e.code : null;
  if (code && (PRISMA_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code) || isUnavailableSqlState(code))) return true;
  // (A driver adapter error of kind "postgres" carries the SQLSTATE in `code`, checked above.)
  if (typeof e.kind === "string" && ADAPTER_UNAVAILABLE.has(e.kind)) return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  const meta = e.meta as { driverAdapterError?: unknown } | undefined;
  if (meta && typeof meta === "object" && inspect(meta.driverAdapterError, depth + 1)) return true;
  if (inspect(e.cause, depth + 1)) return true;
  // AggregateError (e.g. a connection attempt to each address of a host name).
  if (Array.isArray(e.errors)) return e.errors.some((inner) => inspect(inner, depth + 1));
  return false;
}

/**
 * True when `err` says the database is unreachable or refusing connections for now (PostgreSQL
 * restarting or stopped, the connection cut, no connection within the pool's timeout): a 503 and
 * a retry, not a bug. Constraint violations and every other database error are false.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return inspect(err, 0);
}
