// The process's logger: pino, one JSON object per line (what a log collector reads from a
// container): info and below on stdout, warn and above on stderr, as console.log and console.error
// split them; pino-pretty's coloured lines instead when stdout is a terminal. LOG_LEVEL sets the least
// severe level written. One instance per process, held on globalThis like the runtime, so the
// front door (scripts/start.ts) and every bundle of the app write through the same stream.
//
// Fields: `component` names the part that speaks (front, jobs, db, anchors, …); the front door's
// access lines carry `reqId`, `method`, `route`, `path`, `status`, `ms`. Paths are logged without
// their query, and the redaction below drops credentials should one ever be passed in an object:
// a token or password never reaches the log.
import { format } from "node:util";
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { ConfigError, getConfig, type LogLevel } from "@/lib/config";

export type { Logger } from "pino";

/**
 * Keys whose values are never written: at the top of a line's fields, and in a `headers` object.
 * Named paths only: a wildcard (`*.token`) would make every line cost twice as much (measured:
 * 11 µs instead of 5 µs an access line).
 */
const REDACTED_KEYS = ["authorization", "cookie", "token", "password", "secret", "signature"];
const REDACTED_PATHS = [...REDACTED_KEYS, "headers.authorization", "headers.cookie", "headers.signature", "body.password", "body.token"];

let isoMs = 0;
let isoText = "";
/**
 * pino's ISO `time`, made once per millisecond: under load many lines share one, and `new Date()`
 * is slow in the server process (Next wraps the Date constructor; 2 µs a line, profiled).
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return `,"time":"${isoText}"`;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; default stdout (pretty when it is a terminal). */
  destination?: DestinationStream;
}

/** A logger with the product's format: ISO time, the level's name, no hostname, redacted secrets. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    timestamp: isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  if (destination) return pino(options, destination);
  if (process.stdout.isTTY) {
    // One line a message, its component in front; an access line's fields are in its message.
    return pino(
      options,
      pretty({
        colorize: true,
        sync: true,
        translateTime: "SYS:HH:MM:ss.l",
        messageFormat: "{if component}{component}: {end}{msg}",
        ignore: "pid,component,method,route,path,status,ms,client,cached",
      }),
    );
  }
  // Asynchronous: lines written while a write is under way go out together in the next one, so a
  // busy server does not make one system call per request. pino flushes what is left on exit.
  const streams = pino.multistream(
    [
      { level: "trace", stream: pino.destination({ dest: 1, sync: false }) },
      { level: "warn", stream: pino.destination({ dest: 2, sync: false }) },
    ],
    { dedupe: true },
  );
  return pino(options, streams);
}

const holder = globalThis as unknown as { __artdagLogger?: Logger };

function configuredLevel(): LogLevel {
  try {
    return getConfig().logLevel;
  } catch (err) {
    // A configuration problem is reported by whoever reads the configuration first (start-up).
    if (err instanceof ConfigError) return "info";
    throw err;
  }
}

/** The process's logger, created on first use at the configured LOG_LEVEL. */
export function getLogger(): Logger {
  holder.__artdagLogger ??= createLogger({ level: configuredLevel() });
  return holder.__artdagLogger;
}

/** Next's note on every start of how long loading its configuration took: of no use to an operator, kept at debug. */
const FRAMEWORK_CHATTER = /^✓ Running next\.config\.\w+ took \d+ms$/;

/**
 * Sends what libraries print with console.* (Next's start-up notes and its report of an error in a
 * page, pg-boss, Prisma) through the logger, as `component: "console"` lines at the matching level,
 * so the server's whole output is JSON lines. For the server process only; returns the undo.
 */
export function routeConsoleToLogger(): () => void {
  const original = { log: console.log, info: console.info, debug: console.debug, warn: console.warn, error: console.error };
  const to =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      const text = format(...args);
      getLogger()[level === "info" && FRAMEWORK_CHATTER.test(text) ? "debug" : level]({ component: "console" }, text);
    };
  console.log = to("info");
  console.info = to("info");
  console.debug = to("debug");
  console.warn = to("warn");
  console.error = to("error");
  return () => void Object.assign(console, original);
}

/** Tests: log through `logger` until the returned function is called. */
export function useLogger(logger: Logger): () => void {
  const previous = holder.__artdagLogger;
  holder.__artdagLogger = logger;
  return () => {
    holder.__artdagLogger = previous;
  };
}

/** Writes what is buffered, synchronously (before process.exit). */
export function flushLogs(): void {
  const logger = holder.__artdagLogger;
  if (!logger) return;
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[pino.symbols.streamSym];
  try {
    if (stream?.flushSync) stream.flushSync();
    else logger.flush();
  } catch {
    // A stream not yet open has nothing buffered.
  }
}

/** An error's message, or the thrown value as text: for one-line warnings about expected failures. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
