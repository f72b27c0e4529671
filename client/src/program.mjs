// The program's name and version, its one kind of failure (CliError) and its output lines.

export const VERSION = "1.0.0";

/** How the program is run, in the hints it prints ("Run: node artdag-client.mjs login …"). */
export const PROGRAM = "node artdag-client.mjs";

/** A failure to show as one clear message (no stack trace) with its exit code. */
export class CliError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A line of the command's result, on stdout. */
export function print(line = "") {
  process.stdout.write(`${line}\n`);
}

/** A line of progress or of an error, on stderr. */
export function note(line = "") {
  process.stderr.write(`${line}\n`);
}
