// Servers a test starts, stops and restarts itself (child processes), the way an operator runs
// them: `tsx scripts/start.ts --no-build` (the app is built once before the suite).
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { logMessages } from "./logs";
import { ROOT, serverEnv, type ServerSpec } from "./servers";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const PRODUCT_VARIABLE =
  /^(ARTDAG_|JWT_SECRET$|DATABASE_URL$|L1_SERVERS$|RATE_LIMIT_|SESSION_TTL_SECONDS$|PORT$|HOST$|OTS_|ANCHOR_|FEDERATION_|TRUST_PROXY$|MIGRATE_ON_START$|SHUTDOWN_|PUBLIC_CACHE_SECONDS$|FRONT_CACHE_MB$|LOG_LEVEL$|METRICS)/;

/** Children still running, killed if the worker exits with a test that did not stop its server. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) killGroup(child);
});

/**
 * SIGKILL to the server's whole process group: `tsx` runs the server in a child node process, and
 * a SIGKILL (unlike SIGTERM) cannot be relayed, so killing tsx alone would leave the server running.
 */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedServer {
  url: string;
  /** Everything it printed so far, stdout and stderr interleaved (for failure messages). */
  output(): string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<Exit>;
  /** `kill -9`: no shutdown of any kind (a crash, an OOM kill), then waits for the process to be gone. */
  kill(): Promise<Exit>;
  /** True until the process has exited. */
  running(): boolean;
}

/** The environment of a spawned server: ours without any product variable, plus the server's own. */
function childEnv(server: ServerSpec, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !PRODUCT_VARIABLE.test(key)) env[key] = value;
  for (const [key, value] of Object.entries({ ...serverEnv(server), ...extra })) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env as NodeJS.ProcessEnv;
}

function launch(server: ServerSpec, extra: Record<string, string | undefined>) {
  const child = spawn(TSX, ["scripts/start.ts", "--no-build"], {
    cwd: ROOT,
    env: childEnv(server, extra),
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so kill() reaches the server process under tsx too.
    detached: true,
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  let all = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => ((stdout += s), (all += s)));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => ((stderr += s), (all += s)));
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  // Resolves once both pipes are drained too, so nothing printed just before exit is missed.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return { child, exited, closed, stdout: () => stdout, stderr: () => stderr, all: () => all };
}

/** Deletes a server's data folder (each test starts from nothing). */
export function wipeDataDir(server: ServerSpec): void {
  rmSync(server.dataDir, { recursive: true, force: true });
}

/**
 * Starts a server and resolves once it answers requests (its runtime, database included, is up).
 * `extra` adds or, with `undefined`, removes variables of serverEnv(server).
 */
export async function startServer(server: ServerSpec, extra: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<SpawnedServer> {
  const p = launch(server, extra);
  let exitedEarly: Exit | null = null;
  void p.exited.then((e) => (exitedEarly = e));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitedEarly) throw new Error(`the server exited during start-up (${JSON.stringify(exitedEarly)}):\n${p.all()}`);
    if (Date.now() > deadline) {
      killGroup(p.child);
      throw new Error(`the server did not answer within ${timeoutMs} ms:\n${p.all()}`);
    }
    if (logMessages(p.stdout(), "server").some((m) => m.startsWith("ready: "))) {
      const res = await fetch(`${server.url}/`, { headers: { accept: "application/json" } }).catch(() => null);
      if (res?.ok) break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: server.url,
    output: p.all,
    async stop() {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
      const exit = await p.exited;
      await p.closed;
      return exit;
    },
    async kill() {
      killGroup(p.child);
      const exit = await p.exited;
      await p.closed;
      return exit;
    },
    running: () => p.child.exitCode === null && p.child.signalCode === null,
  };
}

/**
 * Runs one of the operator's scripts (`tsx scripts/NAME.ts ARGS`) with a server's environment, as
 * `npm run …` would beside that server; resolves with its exit and what it printed.
 */
export async function runScript(
  server: ServerSpec,
  script: string,
  args: string[],
  extra: Record<string, string | undefined> = {},
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawn(TSX, [path.join("scripts", script), ...args], { cwd: ROOT, env: childEnv(server, extra), stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const exit = await new Promise<Exit>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  running.delete(child);
  return { ...exit, stdout, stderr };
}

/** Runs a server that is expected to refuse to start; resolves with its exit and what it printed. */
export async function runUntilExit(
  server: ServerSpec,
  extra: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const p = launch(server, extra);
  const timer = setTimeout(() => killGroup(p.child), timeoutMs);
  const exit = await p.exited;
  await p.closed;
  clearTimeout(timer);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}
