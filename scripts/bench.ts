// `npm run bench`: requests/second of `GET /auth/me` (valid Bearer token) on our real server, next to a
// bare node:http server answering the same body, both loaded with autocannon the same way.
//
//   npm run bench -- [--duration 10] [--warmup 3] [--connections 10]
//   (or BENCH_DURATION / BENCH_WARMUP / BENCH_CONNECTIONS)
//
// It builds the app if needed, starts `scripts/start.ts --no-build` on a free loopback port with a
// fresh temporary ARTDAG_DATA (embedded PGlite) and generous rate limits, registers a user, captures
// the real /auth/me answer, starts the bare server (scripts/bench/bare-server.ts) in its own process,
// measures both, prints a table and shuts everything down. Loopback only. Exits 1 when our server did
// not answer every measured request with 200 and the expected body.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const LOOPBACK = "127.0.0.1";

// ---------------------------------------------------------------------------------------------
// Options

function option(name: string, envName: string, fallback: number, min: number): number {
  const argv = process.argv.slice(2);
  let raw: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) raw = argv[i + 1];
    else if (argv[i].startsWith(`--${name}=`)) raw = argv[i].slice(name.length + 3);
  }
  raw ??= process.env[envName];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: --${name} (${envName}) must be a whole number ≥ ${min}, got '${raw}'`);
    process.exit(2);
  }
  return n;
}

const DURATION = option("duration", "BENCH_DURATION", 10, 1);
const WARMUP = option("warmup", "BENCH_WARMUP", 3, 0);
const CONNECTIONS = option("connections", "BENCH_CONNECTIONS", 10, 1);

// ---------------------------------------------------------------------------------------------
// autocannon (CommonJS, no bundled types): the part of its API used here.

interface Histogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  total: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  throughput: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  expectBody: string;
  timeout: number;
  warmup?: { connections: number; duration: number };
}
type Autocannon = (opts: AutocannonOptions) => PromiseLike<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

// ---------------------------------------------------------------------------------------------
// Process helpers

const children = new Set<ChildProcess>();
let dataDir: string | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once("error", reject);
    s.listen(0, LOOPBACK, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Forwards a child's output line by line with a prefix. */
function prefixOutput(child: ChildProcess, prefix: string) {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) process.stderr.write(`${prefix} ${line}\n`);
    });
    stream.on("end", () => pending && process.stderr.write(`${prefix} ${pending}\n`));
  }
}

/** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). */
function stop(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error(`bench: pid ${child.pid} did not stop within ${graceMs / 1000}s, killing it`);
      child.kill("SIGKILL");
    }, graceMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      console.error(`bench: pid ${child.pid} stopped (${signal ?? `exit ${code}`})`);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function cleanup() {
  await Promise.all([...children].map((c) => stop(c)));
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  }
}

class BenchError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Steps

function ensureBuild() {
  console.error("bench: ensuring the app is built (scripts/start.ts --build-only)…");
  // The ordinary environment, as `npm run test:e2e` does: the build is shared with everyone else.
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "start.ts"), "--build-only"], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new BenchError(`the build failed (exit ${r.status ?? r.signal})`);
}

async function startOurServer(): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "artdag-bench-"));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "start.ts"), "--no-build"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ARTDAG_DATA: dataDir,
      ARTDAG_DOMAIN: `${LOOPBACK}:${port}`,
      ARTDAG_SCHEME: "http",
      HOST: LOOPBACK,
      PORT: String(port),
      DATABASE_URL: "", // embedded PGlite in ARTDAG_DATA
      RATE_LIMIT_REGISTER: "1000000/60",
      RATE_LIMIT_LOGIN: "1000000/60",
      JWT_SECRET: randomBytes(32).toString("hex"),
      TRUST_PROXY: "false",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  prefixOutput(child, "[server]");
  const base = `http://${LOOPBACK}:${port}`;

  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new BenchError(`our server exited during start-up (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(`${base}/api/stats`, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new BenchError("our server did not answer /api/stats within 180s");
    await sleep(250);
  }
  return { base, child };
}

interface Captured {
  token: string;
  body: string;
  contentType: string;
}

async function registerAndCapture(base: string): Promise<Captured> {
  const username = `bench_${randomBytes(4).toString("hex")}`;
  const reg = await fetch(`${base}/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ username, password: randomBytes(16).toString("hex") }),
  });
  const regText = await reg.text();
  if (reg.status !== 201) throw new BenchError(`POST /auth/register answered ${reg.status}: ${regText}`);
  const token = (JSON.parse(regText) as { access_token?: string }).access_token;
  if (!token) throw new BenchError(`POST /auth/register gave no access_token: ${regText}`);

  const me = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  const body = await me.text();
  if (me.status !== 200) throw new BenchError(`GET /auth/me answered ${me.status}: ${body}`);
  const contentType = me.headers.get("content-type") ?? "";
  if (!/^application\/json\b/.test(contentType)) throw new BenchError(`GET /auth/me content-type is '${contentType}'`);
  const user = JSON.parse(body) as { username?: string; actor_id?: string; created_at?: string };
  if (user.username !== username || !user.actor_id || !user.created_at) {
    throw new BenchError(`GET /auth/me answered an unexpected body: ${body}`);
  }
  // The body must not change between requests, or comparing bodies would be meaningless.
  const again = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  if ((await again.text()) !== body) throw new BenchError("GET /auth/me answers a different body each time");
  return { token, body, contentType };
}

async function startBareServer(captured: Captured): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bench", "bare-server.ts")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  prefixOutput(child, "[bare]");
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchError("the bare server did not start within 30s")), 30_000);
    child.once("message", (m: { port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once("exit", (code, signal) => reject(new BenchError(`the bare server exited (${code ?? signal})`)));
    child.send({ body: captured.body, contentType: captured.contentType, token: captured.token });
  });
  const base = `http://${LOOPBACK}:${port}`;
  const res = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${captured.token}` } });
  const body = await res.text();
  if (res.status !== 200 || body !== captured.body) throw new BenchError("the bare server answers differently");
  return { base, child };
}

async function measure(name: string, base: string, captured: Captured): Promise<AutocannonResult> {
  console.error(
    `bench: ${name}: ${WARMUP ? `warm-up ${WARMUP}s, then ` : ""}${DURATION}s with ${CONNECTIONS} connections…`,
  );
  const opts: AutocannonOptions = {
    url: `${base}/auth/me`,
    connections: CONNECTIONS,
    duration: DURATION,
    timeout: 10,
    headers: { authorization: `Bearer ${captured.token}`, accept: "application/json" },
    expectBody: captured.body,
  };
  if (WARMUP > 0) opts.warmup = { connections: CONNECTIONS, duration: WARMUP };
  return await autocannon(opts);
}

function problems(r: AutocannonResult): string[] {
  const out: string[] = [];
  if (r.requests.total === 0) out.push("no requests completed");
  if (r.non2xx) out.push(`${r.non2xx} non-2xx (${JSON.stringify(r.statusCodeStats)})`);
  if (r.mismatches) out.push(`${r.mismatches} bodies differ from the captured /auth/me body`);
  if (r.errors) out.push(`${r.errors} connection errors`);
  if (r.timeouts) out.push(`${r.timeouts} timeouts`);
  return out;
}

function printTable(ours: AutocannonResult, bare: AutocannonResult) {
  const cpus = os.cpus();
  const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const rows = [
    ["server", "req/s (mean)", "± stddev", "requests", "lat mean ms", "p50 ms", "p99 ms", "non-2xx", "errors"],
    ...(
      [
        ["ours (Next)", ours],
        ["bare node:http", bare],
      ] as const
    ).map(([name, r]) => [
      name,
      fmt(r.requests.mean),
      fmt(r.requests.stddev),
      fmt(r.requests.total),
      fmt(r.latency.mean, 2),
      fmt(r.latency.p50),
      fmt(r.latency.p99),
      String(r.non2xx),
      String(r.errors + r.timeouts + r.mismatches),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log("");
  console.log(`GET /auth/me (valid Bearer token), ${CONNECTIONS} connections, ${WARMUP}s warm-up + ${DURATION}s measured, autocannon`);
  console.log(
    `machine: ${cpus.length} CPU${cpus.length === 1 ? "" : "s"} (${cpus[0]?.model.trim() ?? "?"}), ` +
      `node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
  );
  console.log("");
  console.log(line(rows[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log("");
  console.log(`ours / bare: ${fmt((100 * ours.requests.mean) / bare.requests.mean, 1)}% of the bare server's req/s`);
  console.log("(latency percentiles are whole ms, as autocannon records them; errors = connection errors + timeouts +");
  console.log(" body mismatches; the load generator and the server under test share the machine's CPUs)");
}

async function main() {
  ensureBuild();
  const ours = await startOurServer();
  console.error(`bench: our server answers on ${ours.base} (data in ${dataDir})`);
  const captured = await registerAndCapture(ours.base);
  console.error(`bench: /auth/me body (${captured.contentType}): ${captured.body}`);
  const bare = await startBareServer(captured);
  console.error(`bench: bare server answers on ${bare.base}`);

  const oursResult = await measure("ours", ours.base, captured);
  const bareResult = await measure("bare", bare.base, captured);

  printTable(oursResult, bareResult);

  const oursProblems = problems(oursResult);
  const bareProblems = problems(bareResult);
  if (oursProblems.length || bareProblems.length) {
    throw new BenchError(
      [
        ...oursProblems.map((p) => `our server: ${p}`),
        ...bareProblems.map((p) => `bare server: ${p}`),
      ].join("; "),
    );
  }
}

let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    interrupted = true;
    console.error(`bench: ${sig}, shutting down…`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanup();
    process.exit(0);
  })
  .catch(async (err: unknown) => {
    if (interrupted) return;
    console.error(`\nbench: FAILED: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanup();
    process.exit(1);
  });
