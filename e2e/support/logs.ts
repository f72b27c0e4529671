// The server's log as an operator's collector reads it (lib/log): one JSON object per line. Lines
// that are not JSON (Next's own build output, a crash's stack) are kept as `{ text }`.
export interface LogEntry {
  level?: string;
  msg?: string;
  component?: string;
  text?: string;
  [field: string]: unknown;
}

/** Every line of `output`, parsed. */
export function logEntries(output: string): LogEntry[] {
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      if (!line.startsWith("{")) return { text: line };
      try {
        return JSON.parse(line) as LogEntry;
      } catch {
        return { text: line };
      }
    });
}

/** The messages logged (in order), by any component or only `component`'s. */
export function logMessages(output: string, component?: string): string[] {
  return logEntries(output)
    .filter((e) => e.msg !== undefined && (component === undefined || e.component === component))
    .map((e) => e.msg as string);
}

/**
 * What went wrong, as the log says it: entries at level error or fatal (only those of
 * `components`, when given), and any line (JSON or not) naming an unhandled rejection or an
 * uncaught exception.
 */
export function loggedErrors(output: string, components?: string[]): LogEntry[] {
  return logEntries(output).filter(
    (e) =>
      ((e.level === "error" || e.level === "fatal") && (components === undefined || components.includes(String(e.component)))) ||
      /unhandledRejection|uncaughtException/.test(e.text ?? String(e.msg ?? "")),
  );
}
