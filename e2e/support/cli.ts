// The CLI client (the one file built from client/src/) as a person runs it: `node artdag-client.mjs …`
// in a child process with its own config folder (ARTDAG_CLIENT_HOME), answering its prompts on stdin.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { keyFileName } from "../../client/src/config.mjs";
import { didKeyFromPublicKey } from "../../client/src/keys.mjs";
import { CLIENT_BUNDLE } from "../../lib/site";
import { ROOT } from "./servers";

/** The file /download/client serves, built by `scripts/start.ts --build-only` before the suite. */
export const CLIENT_FILE = path.join(ROOT, CLIENT_BUNDLE);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh, empty config folder for one client; removed by `removeHome`. */
export function tempHome(): string {
  return mkdtempSync(path.join(os.tmpdir(), "artdag-cli-e2e-"));
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}

function childEnv(home: string): NodeJS.ProcessEnv {
  // Only this client's folder: nothing of the machine's own ~/.config/artdag may be used.
  return { ...process.env, ARTDAG_CLIENT_HOME: home, XDG_CONFIG_HOME: path.join(home, "xdg-unused") };
}

/** A running client: its output so far, a way to wait for a line, and its exit. */
export interface CliSession {
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (waits for it to be printed). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Presses Enter. */
  pressEnter(): void;
  /** Ends stdin (Ctrl-D). */
  endInput(): void;
  exited: Promise<CliResult>;
}

/** Starts `node client/dist/artdag-client.mjs <args>` with the given config folder. */
export function startCli(home: string, args: string[]): CliSession {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLIENT_FILE, ...args], { cwd: home, env: childEnv(home), stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
    for (const w of waiters) w();
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exited = new Promise<CliResult>((resolve) => {
    child.on("close", (code) => {
      for (const w of waiters) w();
      resolve({ code, stdout, stderr });
    });
  });
  let closed = false;
  void exited.then(() => (closed = true));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  void exited.then(() => clearTimeout(timer));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(stdout);
          if (m) return finish(() => resolve(m));
          if (closed) return finish(() => reject(new Error(`the client exited before printing ${pattern}:\n${stdout}\n${stderr}`)));
        };
        const t = setTimeout(() => finish(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(t);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    pressEnter: () => void child.stdin.write("\n"),
    endInput: () => void child.stdin.end(),
    exited,
  };
}

/** Runs one command to its end, stdin closed. */
export function runCli(home: string, args: string[]): Promise<CliResult> {
  const session = startCli(home, args);
  session.endInput();
  return session.exited;
}

/**
 * Puts a key for `server` into the client's folder, as an earlier `login` would have left it, and
 * answers its did:key (to register through the API, so that `login` finds it already registered).
 */
export function seedClientKey(home: string, server: string): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  mkdirSync(path.join(home, "keys"), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(home, "keys", keyFileName(server)), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return didKeyFromPublicKey(privateKey);
}

/** A fresh did:key nobody has registered. */
export function freshDidKey(): string {
  return didKeyFromPublicKey(generateKeyPairSync("ed25519").privateKey);
}
