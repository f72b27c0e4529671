// A logger writing into memory, for tests that check what was logged (lib/log format).
import { createLogger, type Logger } from "@/lib/log";
import type { LogLevel } from "@/lib/config";

export interface CapturedLogs {
  logger: Logger;
  /** Everything written, as written. */
  raw(): string;
  /** Each line parsed. */
  lines(): Record<string, unknown>[];
}

export function captureLogs(level: LogLevel = "trace"): CapturedLogs {
  let text = "";
  const logger = createLogger({ level, destination: { write: (line: string) => void (text += line) } });
  return {
    logger,
    raw: () => text,
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
