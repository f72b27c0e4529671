// `npm run bench`: how fast our real server is, in one run.
//   1. requests/second of `GET /auth/me` (valid Bearer token), next to a bare node:http server
//      answering the same body (scripts/bench/bare-server.ts), both loaded with autocannon the same way;
//   2. registrations/second through `POST /assets` with 1 client (sequential) and with 8 concurrent
//      clients (scripts/bench/register-load.ts), every answer a 201, beside the raw in-process cost of
//      what each registration must do — the token check, the proof and the RSA signature of its
//      activity (signClaim), its writes in raw SQL — and the ceiling that implies, with HTTP / ceiling
//      (#20 item 7; scripts/bench/micro.ts, run in its own process);
//   3. `GET /assets?limit=50`, first page and a page deep in the list (cursor from the middle), on a
//      server whose database holds 1 000 and one holding 1 000 000 assets (#20 item 9), seeded in bulk with SQL before
//      the server starts on it (scripts/bench/seed.ts), loaded in one-second rounds interleaved across
//      the sizes (scripts/bench/load.ts), with the 1M/1k ratio, EXPLAIN ANALYZE and listAssets()
//      timed in process;
//   4. federation in process, no server of ours (scripts/bench/federation.ts, its own process): verified
//      inbox POSTs/s through receiveActivity (draft-cavage and RFC 9421 signed Likes from a local
//      "remote actor"), and the fan-out of one Create to 1 000 followers on 100 shared inboxes (100 local
//      sink servers): enqueueDeliveries + performDeliveries of every row, beside merely signing and
//      sending the same 100 POSTs.
//   5. Moo-Auth-1 in process (scripts/bench/clients-anchors.ts, its own process, with 6): requests/s
//      through authenticateMooAuth on PGlite (signature checks + registered-key lookup + replay INSERT
//      + last_used_at), each request freshly signed, beside signMooAuth (the client's cost), bare
//      Ed25519 sign and verify, and verifyMooAuth without the database, so the database's share shows;
//   7. the public documents (scripts/bench/documents.ts): the actor (both Accept forms) and WebFinger
//      (acct: and a client's did:key) from our server, from a bare node:http server answering the same
//      bytes, and from Fedify 2.3.6, beside a trivial route handler of ours (GET /api/ping), each
//      without and with gzip; then cold: the actor and WebFinger from a second server of ours with the
//      response cache off (FRONT_CACHE_MB=0, every request through Next) against its own trivial route;
//   8. verified inbox POSTs over HTTP (scripts/bench/inbox.ts): the same draft-cavage signed Likes (unique
//      ids, signed beforehand, once per target) sent to our server's inboxes (POST /users/{name}/inbox
//      and the shared POST /inbox) and to Fedify 2.3.6's (scripts/bench/fedify-server.ts, listeners
//      that keep each activity in its KV store), the key fetched once by each from a local "remote
//      actor", beside GET /api/ping loaded the same way; every answer checked, then the effects (our
//      user's inbox holds every Like, Fedify's listeners counted every one, replays are duplicates);
//   6. OpenTimestamps anchoring in process, two in-process stub calendars and a stub Esplora: anchorPending
//      of 1 000 and of 10 000 activities (seeded by cloning one registered Create with SQL), beside the
//      leaf hashing + merkle tree alone; getActivityOts of every activity (composed on each read), every
//      proof parsed and checked; then one mining per calendar and upgradeAnchor of every anchor.
//
//   npm run bench -- [--duration 10] [--warmup 3] [--connections 10]          (1; seconds)
//                    [--reg-duration 5] [--reg-warmup 1] [--reg-clients 8]      (2; seconds)
//                    [--micro-ms 1000]                                          (2; ms per operation)
//                    [--list-duration 3] [--list-warmup 1] [--list-connections 4]
//                    [--list-small 1000] [--list-large 1000000]                 (3; seconds, rows)
//                    [--fed-inbox 500] [--fed-rounds 5] [--fed-concurrency 8]   (4; POSTs per scheme, rounds)
//                    [--moo-requests 2000]                                      (5; requests per row)
//                    [--anchor-small 1000] [--anchor-large 10000]               (6; activities)
//                    [--doc-duration 5] [--doc-warmup 2]                        (7; seconds)
//                    [--inbox-count 2000] [--inbox-warmup 1500]                 (8; POSTs per inbox and server)
//                    [--only clients-anchors]                       (5 and 6 alone: no build, no server)
//                    [--only registrations|list|federation]         (2, 3 or 4 alone; 4 needs no build)
//                    [--only documents]                             (7 alone, with 1 for reference)
//                    [--only inbox]                                 (8 alone; its own server)
//   (or BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_REG_DURATION, BENCH_REG_WARMUP,
//    BENCH_REG_CLIENTS, BENCH_MICRO_MS, BENCH_LIST_DURATION, BENCH_LIST_WARMUP,
//    BENCH_LIST_CONNECTIONS, BENCH_LIST_SMALL, BENCH_LIST_LARGE, BENCH_FED_INBOX, BENCH_FED_ROUNDS,
//    BENCH_FED_CONCURRENCY, BENCH_MOO_REQUESTS, BENCH_ANCHOR_SMALL, BENCH_ANCHOR_LARGE, BENCH_INBOX_COUNT,
//    BENCH_INBOX_WARMUP, BENCH_ONLY)
//
// It builds the app if needed, measures the in-process costs, seeds the two list databases, then
// starts `scripts/start.ts --no-build` on a free loopback port with a fresh temporary ARTDAG_DATA
// (embedded PGlite) and generous rate limits, registers a user, captures the real /auth/me answer,
// starts the bare server, measures (1) and (2), stops both, then starts one server per seeded data
// folder for (3). One measurement at a time, so none shares the CPUs with another (the list servers
// idle while another size is loaded). It prints the tables, stops every server and removes every temporary folder. Loopback
// only. Exits 1 when our server did not answer every measured request as expected (200 with the
// expected body, or 201 for each registration), or when a check of 4, 5 or 6 failed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { ClientsAnchorsOptions, ClientsAnchorsResult } from "./bench/clients-anchors";
import type { FederationOptions, FederationResult } from "./bench/federation";
import type { MicroKey, MicroOptions, MicroResult } from "./bench/micro";
import { LoadCheckError, runClients, summarize, timedGet, type LoadSummary } from "./bench/load";
import { registerLoad, type RegisterLoadResult } from "./bench/register-load";
import type { SeededSet, SeedOptions } from "./bench/seed";
import { documentProblems, measureDocuments, type DocumentRow } from "./bench/documents";
import { measureInboxes, type InboxBenchResult } from "./bench/inbox";

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
const REG_DURATION = option("reg-duration", "BENCH_REG_DURATION", 5, 1);
const REG_WARMUP = option("reg-warmup", "BENCH_REG_WARMUP", 1, 0);
const REG_CLIENTS = option("reg-clients", "BENCH_REG_CLIENTS", 8, 2);
const MICRO_MS = option("micro-ms", "BENCH_MICRO_MS", 1000, 50);
const LIST_DURATION = option("list-duration", "BENCH_LIST_DURATION", 3, 1);
const LIST_WARMUP = option("list-warmup", "BENCH_LIST_WARMUP", 1, 0);
const LIST_CONNECTIONS = option("list-connections", "BENCH_LIST_CONNECTIONS", 4, 1);
const LIST_SMALL = option("list-small", "BENCH_LIST_SMALL", 1000, 100);
// #20 item 9 asks for 1 000 000 (seeded in ~40 s on PGlite).
const LIST_LARGE = option("list-large", "BENCH_LIST_LARGE", 1_000_000, 100);
const LIST_LIMIT = 50;
const FED_INBOX = option("fed-inbox", "BENCH_FED_INBOX", 500, 10);
const FED_ROUNDS = option("fed-rounds", "BENCH_FED_ROUNDS", 5, 1);
const FED_CONCURRENCY = option("fed-concurrency", "BENCH_FED_CONCURRENCY", 8, 1);
const FED_FOLLOWERS = 1000;
const FED_HOSTS = 100;
const MOO_REQUESTS = option("moo-requests", "BENCH_MOO_REQUESTS", 2000, 10);
const ANCHOR_SMALL = option("anchor-small", "BENCH_ANCHOR_SMALL", 1000, 1);
const ANCHOR_LARGE = option("anchor-large", "BENCH_ANCHOR_LARGE", 10_000, 1);
const DOC_DURATION = option("doc-duration", "BENCH_DOC_DURATION", 5, 1);
const DOC_WARMUP = option("doc-warmup", "BENCH_DOC_WARMUP", 2, 0);
const INBOX_COUNT = option("inbox-count", "BENCH_INBOX_COUNT", 2000, 10);
const INBOX_WARMUP = option("inbox-warmup", "BENCH_INBOX_WARMUP", 1500, 1);
const ONLY = (() => {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === "--only" || a.startsWith("--only="));
  const raw = i < 0 ? process.env.BENCH_ONLY || undefined : argv[i] === "--only" ? argv[i + 1] : argv[i].slice("--only=".length);
  const known = ["clients-anchors", "registrations", "list", "federation", "documents", "inbox"] as const;
  if (raw !== undefined && !known.includes(raw as (typeof known)[number])) {
    console.error(`bench: --only (BENCH_ONLY) knows only ${known.map((k) => `'${k}'`).join(", ")}, got '${raw}'`);
    process.exit(2);
  }
  return raw as (typeof known)[number] | undefined;
})();

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
const tempDirs = new Set<string>();

function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `artdag-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

function removeTempDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

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
/** Prints what a stream of a child writes, line by line, with a prefix. */
function printLines(stream: NodeJS.ReadableStream | null, prefix: string) {
  if (!stream) return;
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

/** Prints a child's output with a prefix. */
function prefixOutput(child: ChildProcess, prefix: string) {
  printLines(child.stdout, prefix);
  printLines(child.stderr, prefix);
}

/**
 * Our server's output: stdout (info lines, among them an access line per request, written as in
 * production) is read and dropped without being looked at, so the bench spends no time on it;
 * stderr (warnings and errors) is printed with a prefix.
 */
function serverOutput(child: ChildProcess, prefix: string) {
  child.stdout?.resume();
  printLines(child.stderr, prefix);
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
  for (const dir of [...tempDirs]) removeTempDir(dir);
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

/** Runs scripts/bench/{script} in its own process: options over IPC, one result back. */
function runChild<T>(script: string, message: unknown, prefix: string, timeoutMs: number): Promise<T> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bench", script)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  children.add(child);
  prefixOutput(child, prefix);
  return new Promise<T>((resolve, reject) => {
    let reply: { ok: true; result: T } | { ok: false; error: string } | undefined;
    const timer = setTimeout(() => {
      console.error(`bench: ${script} did not finish within ${timeoutMs / 1000}s`);
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("message", (m: typeof reply) => (reply = m));
    // 'close', not 'exit': by then every IPC message has been delivered.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (reply?.ok && code === 0) resolve(reply.result);
      else reject(new BenchError(`${script} failed (${signal ?? `exit ${code}`}): ${reply && !reply.ok ? reply.error : "no result"}`));
    });
    child.send(message as object);
  });
}

async function startOurServer(dataDir: string, env: Record<string, string> = {}): Promise<{ base: string; child: ChildProcess }> {
  // Again before each start (a no-op when the build is current): the build is shared, and someone
  // may have rebuilt it since the bench started.
  ensureBuild();
  const port = await freePort();
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
      ...env,
    },
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  serverOutput(child, "[server]");
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
  console.error(`bench: ${name}: ${WARMUP ? `warm-up ${WARMUP}s, then ` : ""}${DURATION}s with ${CONNECTIONS} connections…`);
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

// ---------------------------------------------------------------------------------------------
// Registrations and the list

async function measureRegistrations(base: string, token: string): Promise<RegisterLoadResult[]> {
  const out: RegisterLoadResult[] = [];
  for (const clients of [1, REG_CLIENTS]) {
    console.error(
      `bench: POST /assets: ${REG_WARMUP ? `warm-up ${REG_WARMUP}s, then ` : ""}${REG_DURATION}s with ${clients} client${clients === 1 ? "" : "s"}…`,
    );
    try {
      out.push(await registerLoad(base, token, clients, REG_DURATION * 1000, REG_WARMUP * 1000));
    } catch (err) {
      if (err instanceof LoadCheckError) throw new BenchError(`registrations with ${clients} client(s): ${err.message}`);
      throw err;
    }
  }
  return out;
}

interface ListCase {
  rows: number;
  page: "first" | "deep";
  base: string;
  path: string;
  body: string;
  latencies: number[];
  elapsedMs: number;
  result?: LoadSummary;
}

/** Fetches a page once, checks it is the expected one, and keeps its body to check every answer against. */
async function captureListPage(base: string, set: SeededSet, page: "first" | "deep"): Promise<ListCase> {
  const p = page === "first" ? `/assets?limit=${LIST_LIMIT}` : `/assets?limit=${LIST_LIMIT}&cursor=${set.deepCursor}`;
  const res = await fetch(`${base}${p}`, { headers: { accept: "application/json" } });
  const body = await res.text();
  if (res.status !== 200) throw new BenchError(`GET ${p} answered ${res.status}: ${body.slice(0, 500)}`);
  const json = JSON.parse(body) as { items?: { name?: string }[]; next_cursor?: string | null };
  const firstId = page === "first" ? set.count : set.deepCursor - 1;
  if (json.items?.length !== LIST_LIMIT || json.items[0]?.name !== `bench-${firstId}` || !json.next_cursor) {
    throw new BenchError(`GET ${p} on ${set.count} assets answered an unexpected page: ${body.slice(0, 300)}…`);
  }
  const again = await fetch(`${base}${p}`, { headers: { accept: "application/json" } });
  if ((await again.text()) !== body) throw new BenchError(`GET ${p} answers a different body each time`);
  return { rows: set.count, page, base, path: p, body, latencies: [], elapsedMs: 0 };
}

/**
 * Loads every case (size × page) in interleaved one-second rounds, alternating the order, so a
 * neighbour's load or a drift in the machine's speed weighs on every size alike; each case gets
 * LIST_WARMUP seconds of warm-up first and LIST_DURATION seconds measured in all.
 */
async function measureLists(cases: ListCase[]) {
  const load = async (c: ListCase, ms: number) => {
    try {
      return await runClients(LIST_CONNECTIONS, ms, () => timedGet(`${c.base}${c.path}`, { accept: "application/json" }, c.body));
    } catch (err) {
      if (err instanceof LoadCheckError) throw new BenchError(`${c.rows} assets: ${err.message}`);
      throw err;
    }
  };
  console.error(
    `bench: GET /assets?limit=${LIST_LIMIT}, ${cases.length} cases: ${LIST_WARMUP ? `warm-up ${LIST_WARMUP}s each, then ` : ""}` +
      `${LIST_DURATION} interleaved rounds of 1s each with ${LIST_CONNECTIONS} connections…`,
  );
  if (LIST_WARMUP > 0) for (const c of cases) await load(c, LIST_WARMUP * 1000);
  for (let round = 0; round < LIST_DURATION; round++) {
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const { latencies, elapsedMs } = await load(c, 1000);
      c.latencies.push(...latencies);
      c.elapsedMs += elapsedMs;
    }
  }
  for (const c of cases) c.result = summarize(c.latencies, c.elapsedMs);
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–");

/** Prints rows as a table: first column left-aligned, the others right-aligned. */
function table(rows: string[][], leftColumns = 1) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
}

function printMachine() {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} CPU${cpus.length === 1 ? "" : "s"} (${cpus[0]?.model.trim() ?? "?"}), ` +
      `node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
  );
}

function printAuthMe(ours: AutocannonResult, bare: AutocannonResult) {
  console.log("");
  console.log(`1. GET /auth/me (valid Bearer token), ${CONNECTIONS} connections, ${WARMUP}s warm-up + ${DURATION}s measured, autocannon`);
  console.log("");
  table([
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
  ]);
  console.log("");
  console.log(`ours / bare: ${fmt((100 * ours.requests.mean) / bare.requests.mean, 1)}% of the bare server's req/s`);
  console.log("(latency percentiles are whole ms, as autocannon records them; errors = connection errors + timeouts +");
  console.log(" body mismatches; the load generator and the server under test share the machine's CPUs)");
}

function printRegistrations(http: RegisterLoadResult[], micro: MicroResult) {
  console.log("");
  console.log(
    `2. POST /assets (Bearer token; unique name and content_hash, asset_type image, tags [bench]), ${REG_WARMUP}s warm-up + ` +
      `${REG_DURATION}s measured per row; each client sends one request at a time on a keep-alive connection`,
  );
  console.log("");
  table([
    ["clients", "registrations", "reg/s", "lat mean ms", "p50 ms", "p99 ms", "max ms", "non-201"],
    ...http.map((r) => [
      String(r.clients),
      fmt(r.requests),
      fmt(r.perSecond, 1),
      fmt(r.latencyMs.mean, 2),
      fmt(r.latencyMs.p50, 2),
      fmt(r.latencyMs.p99, 2),
      fmt(r.latencyMs.max, 1),
      "0",
    ]),
  ]);
  console.log("");
  console.log(`   in process, no HTTP (${micro.database}; ~${fmt(MICRO_MS)} ms per row, one operation at a time):`);
  console.log("");
  table([["operation", "ops/s", "µs/op", "CPU µs/op"], ...micro.rows.map((r) => [r.label, fmt(r.opsPerSec, 0), fmt(r.usPerOp, 0), fmt(r.cpuUsPerOp, 0)])]);
  const us = (k: MicroKey) => {
    const row = micro.rows.find((r) => r.key === k);
    if (!row) throw new BenchError(`the in-process result has no '${k}'`);
    return row.usPerOp;
  };
  const [one, many] = http;
  // The ceiling of #20 item 7: what a registration must do, in process, without Prisma or HTTP — the
  // token check, signClaim (both signatures and the key files) and the writes in raw SQL, the cheaper
  // of the two raw forms. The first row below (what #20 first quoted) is not a registration: it
  // leaves out the activity row, the transaction, the proof and the token check.
  const mustDo = us("tokenCheck") + us("signClaim") + Math.min(us("txnSql"), us("txnSqlOne"));
  const ceiling = 1e6 / mustDo;
  const ceilings: [string, number][] = [
    ["1 / (signActivity + INSERT asset row): partial, not a registration", 1e6 / (us("signActivity") + us("insertAsset"))],
    ["1 / (signActivity + registration writes, raw SQL txn)", 1e6 / (us("signActivity") + us("txnSql"))],
    ["1 / (signActivity + registration writes via Prisma)", 1e6 / (us("signActivity") + us("txnPrisma"))],
    ["1 / (signActivity + registration writes, batched Prisma txn)", 1e6 / (us("signActivity") + us("txnBatch"))],
    ["registerAsset() in process, one at a time (measured)", 1e6 / us("registerAsset")],
    ["1 / (token check + signClaim + writes, raw SQL): THE CEILING", ceiling],
  ];
  console.log("");
  console.log("   implied ceiling (reg/s) next to the measured HTTP rate; one server process does all of it on one thread (PGlite is");
  console.log("   single-connection, crypto.sign is synchronous), so the ceiling is the same for 1 and for 8 clients:");
  console.log("");
  table([
    ["ceiling from", "reg/s", `HTTP 1 client`, `HTTP ${many.clients} clients`],
    ...ceilings.map(([label, rate]) => [
      label,
      fmt(rate, 0),
      `${fmt(one.perSecond, 1)} (${fmt((100 * one.perSecond) / rate, 0)}%)`,
      `${fmt(many.perSecond, 1)} (${fmt((100 * many.perSecond) / rate, 0)}%)`,
    ]),
  ]);
  console.log("");
  console.log(
    `   #20 item 7 (≥ 0.5×): HTTP / ceiling = ${fmt(one.perSecond / ceiling, 2)}× with 1 client, ${fmt(many.perSecond / ceiling, 2)}× with ${many.clients} clients`,
  );
  console.log("   (the ceiling is the work every registration must do: the Bearer token check, signClaim — both key files, the");
  console.log("    FEP-8b32 proof and the Art DAG signature — and the writes in raw SQL, the cheaper of the two forms above;");
  console.log("    no Prisma, no HTTP, no Next, no body parsing)");
  console.log(`   (the stored activity body of a registration is ${fmt(micro.activityBytes)} bytes; CPU µs/op is the process's`);
  console.log("    user + system time, all threads, so it can exceed the wall time; run-to-run noise is about ±20%)");
}

function printList(cases: ListCase[], seeded: SeededSet[]) {
  console.log("");
  console.log(
    `3. GET /assets?limit=${LIST_LIMIT} (JSON), ${LIST_CONNECTIONS} clients (one request at a time each, keep-alive), ${LIST_WARMUP}s warm-up + ` +
      `${LIST_DURATION}s measured per row in 1s rounds interleaved across the rows;`,
  );
  console.log("   one server per database size, seeded in bulk with SQL before it started; every answer 200 with the captured page");
  console.log("");
  table(
    [
      ["assets", "page", "req/s", "requests", "lat mean ms", "p50 ms", "p99 ms", "max ms", "listAssets() in process ms"],
      ...cases.map((c) => {
        const r = c.result!;
        const set = seeded.find((s) => s.count === c.rows);
        return [
          fmt(c.rows),
          c.page === "first" ? "first" : `deep (${c.path.replace(/^.*&/, "")})`,
          fmt(r.perSecond, 1),
          fmt(r.requests),
          fmt(r.latencyMs.mean, 2),
          fmt(r.latencyMs.p50, 2),
          fmt(r.latencyMs.p99, 2),
          fmt(r.latencyMs.max, 1),
          set ? fmt(set.inProcessMs[c.page], 2) : "–",
        ];
      }),
    ],
    2,
  );
  console.log("(latency includes queueing behind the other connections: all of the server's work runs on one thread; the last");
  console.log(" column is listAssets() timed in the seeding process, Prisma on the same database, without HTTP and Next)");
  console.log("");
  for (const page of ["first", "deep"] as const) {
    const small = cases.find((c) => c.rows === LIST_SMALL && c.page === page)?.result;
    const large = cases.find((c) => c.rows === LIST_LARGE && c.page === page)?.result;
    if (!small || !large) continue;
    console.log(
      `${fmt(LIST_LARGE)} / ${fmt(LIST_SMALL)} assets, ${page} page: mean latency ×${fmt(large.latencyMs.mean / small.latencyMs.mean, 2)}, ` +
        `p50 ×${fmt(large.latencyMs.p50 / small.latencyMs.p50, 2)}, req/s ×${fmt(large.perSecond / small.perSecond, 2)} ` +
        `(≈1: the time does not grow with the table)`,
    );
  }
  const big = seeded.find((s) => s.count === LIST_LARGE);
  if (big) {
    const clip = (l: string) => (l.length > 150 ? `${l.slice(0, 147)}…` : l);
    console.log("");
    console.log(`   EXPLAIN ANALYZE on ${fmt(big.count)} assets, the queries Prisma sends for listAssets (in the seeding process):`);
    for (const [title, lines] of [
      ["first page: assets, ORDER BY id DESC LIMIT 51", big.explain.first],
      [`deep page: assets WHERE id < ${big.deepCursor} ORDER BY id DESC LIMIT 51`, big.explain.deep],
      ["then: activities WHERE id IN (the page's 50 activity ids)", big.explain.activities],
    ] as const) {
      console.log(`   - ${title}`);
      for (const l of lines) console.log(`       ${clip(l)}`);
    }
  }
}

function printFederation(fed: FederationResult | Error) {
  console.log("");
  console.log(`4. federation, in process (no HTTP server of ours; PGlite test context, FEDERATION_ALLOW_PRIVATE_ADDRESSES, local user ${"alice"})`);
  if (fed instanceof Error) {
    console.log(`   FAILED: ${fed.message}`);
    return;
  }
  console.log("");
  console.log(`   verified inbox POSTs: receiveActivity(ctx, req, "alice") on distinct signed Likes (digest + signature check, cached key,`);
  console.log(`   de-duplication INSERT; Like is accepted and ignored), one at a time, after a warm-up; the key came from a local`);
  console.log(`   "remote actor" server (${fed.actorFetches} fetch${fed.actorFetches === 1 ? "" : "es"} in all, then the cache):`);
  console.log("");
  table([
    ["signature", "POSTs", "verified POSTs/s", "µs/op", "CPU µs/op"],
    ...fed.inbox.map((r) => [r.spec, fmt(r.count), fmt(r.perSecond, 1), fmt(r.usPerOp, 0), fmt(r.cpuUsPerOp, 0)]),
  ]);
  const m = fed.median;
  console.log("");
  console.log(
    `   fan-out of one Create (${fmt(fed.bodyBytes)} bytes) to ${fmt(fed.followers)} followers on ${fed.hosts} shared inboxes ` +
      `(${fed.hosts} local sink servers answering 202) = ${fed.deliveries} requests, ${fed.concurrency} at a time;`,
  );
  console.log(`   median of ${fed.rounds.length} rounds after a warm-up round, each column on its own:`);
  console.log("");
  table([
    ["step", "ms", "deliveries/s"],
    ["(a) followerInboxes + enqueueDeliveries (one txn)", fmt(m.enqueueMs, 1), "–"],
    ["(a) performDeliveries of every row", fmt(m.deliverMs, 1), fmt((fed.deliveries * 1000) / m.deliverMs, 0)],
    ["(a) total", fmt(m.totalMs, 1), fmt((fed.deliveries * 1000) / m.totalMs, 0)],
    ["(b) signRequest rfc9421 + fetch POST only", fmt(m.baselineMs, 1), fmt((fed.deliveries * 1000) / m.baselineMs, 0)],
  ]);
  console.log("");
  console.log(
    `   (a) total / (b): ×${fmt(m.totalMs / m.baselineMs, 2)}; performDeliveries alone / (b): ×${fmt(m.deliverMs / m.baselineMs, 2)} ` +
      "(what reading and writing the delivery rows, the key file read and safeFetch add to signing and sending)",
  );
  console.log(`   rounds (total / baseline ms): ${fed.rounds.map((r) => `${fmt(r.totalMs, 0)}/${fmt(r.baselineMs, 0)}`).join(", ")}`);
}

function printClientsAnchors(r: ClientsAnchorsResult | Error) {
  console.log("");
  console.log(`5. Moo-Auth-1 client authentication, in process (no HTTP server of ours; PGlite test context, user alice with one`);
  console.log("   registered Ed25519 client key) and 6. OpenTimestamps anchoring (in-process stub calendars and Esplora)");
  if (r instanceof Error) {
    console.log(`   FAILED: ${r.message}`);
    return;
  }
  const m = r.moo;
  console.log("");
  console.log(`   ${fmt(m.rows[0]?.count ?? 0)} distinct signed POSTs (${fmt(m.bodyBytes)}-byte bodies, so every digest and signature differs) per row,`);
  console.log("   one at a time after a warm-up; every call succeeded:");
  console.log("");
  table([
    ["operation", "ops/s", "µs/op", "CPU µs/op"],
    ...m.rows.map((row) => [row.label, fmt(row.perSecond, 0), fmt(row.usPerOp, 1), fmt(row.cpuUsPerOp, 1)]),
  ]);
  const us = (k: string) => m.rows.find((row) => row.key === k)?.usPerOp ?? NaN;
  const auth = us("authenticateMooAuth");
  const pure = us("verifyMooAuth");
  console.log("");
  console.log(
    `   the database's share of authenticateMooAuth: ${fmt(auth - pure, 0)} µs of ${fmt(auth, 0)} (${fmt((100 * (auth - pure)) / auth, 0)}%; ` +
      `key lookup + replay INSERT + last_used_at UPDATE); Ed25519 verify alone is ${fmt((100 * us("verify")) / auth, 0)}%`,
  );
  console.log(`   (moo_auth_seen holds ${fmt(m.seenRows)} rows at the end, one per authenticated request; a replay of the last is refused)`);
  console.log("");
  console.log(
    `   anchorPending with the production options (batches of ${fmt(r.anchors[0]?.batchSize ?? 0)}), a fresh PGlite per row, two calendars; ` +
      "activities seeded by",
  );
  console.log("   cloning one registered Create with SQL; every activity ends with an anchorRoot and a path, every .ots parses with");
  console.log("   parseDetached and commits to sha256(body) with one pending attestation per calendar:");
  console.log("");
  table([
    ["activities", "anchors", "anchorPending ms", "µs/activity", "hash+tree only ms", "getActivityOts/s", ".ots bytes mean", "upgradeAnchor ms", "confirmed"],
    ...r.anchors.map((a) => [
      fmt(a.activities),
      String(a.anchors),
      fmt(a.anchorMs, 0),
      fmt((a.anchorMs * 1000) / a.activities, 1),
      fmt(a.treeMs, 1),
      fmt((a.otsReads * 1000) / a.otsMs, 0),
      fmt(a.otsBytesMean, 0),
      fmt(a.upgradeMs, 0),
      `${a.confirmed}/${a.anchors}`,
    ]),
  ]);
  console.log("");
  console.log("   (anchorPending = select + leaf hashing + tree + anchor INSERT + one UPDATE of every activity's path, then the POST");
  console.log("    to each calendar; hash+tree only = sha256 of every body and buildMerkleBatch, no database and no calendars;");
  console.log("    getActivityOts over every activity, one at a time, each proof composed anew; upgradeAnchor after one mining per");
  console.log("    calendar, of every anchor, each confirmed; then one proof per anchor re-read and checked with checkActivityOts)");
  console.log(
    `   mean body ${r.anchors.map((a) => `${fmt(a.bodyBytes)} B`).join(" / ")}; seeding took ${r.anchors.map((a) => `${fmt(a.seedMs, 0)} ms`).join(" / ")}; ` +
      `re-read proofs, bytes pending → confirmed: ${r.anchors.flatMap((a) => a.otsBytesUpgraded.map((b) => `${fmt(b.pending)} → ${fmt(b.confirmed)}`)).join(", ")}`,
  );
}

function clientsAnchorsOptions(): ClientsAnchorsOptions {
  return { mooRequests: MOO_REQUESTS, anchorSizes: [...new Set([ANCHOR_SMALL, ANCHOR_LARGE])] };
}

/** Sections 5 and 6 in their own process; a failure is returned, so the caller can still print the rest. */
function runClientsAnchors(): Promise<ClientsAnchorsResult | Error> {
  const opts = clientsAnchorsOptions();
  console.error(`bench: Moo-Auth-1 and anchoring in process (${opts.mooRequests} requests per row, ${opts.anchorSizes.join(" and ")} activities)…`);
  return runChild<ClientsAnchorsResult>("clients-anchors.ts", opts, "[clients-anchors]", 900_000).catch((err: unknown) =>
    err instanceof Error ? err : new Error(String(err)),
  );
}

/** `--only clients-anchors`: sections 5 and 6 alone. */
async function mainClientsAnchorsOnly() {
  const clientsAnchors = await runClientsAnchors();
  console.log("");
  printMachine();
  printClientsAnchors(clientsAnchors);
  if (clientsAnchors instanceof Error) throw new BenchError(`clients-anchors: ${clientsAnchors.message}`);
}

/**
 * Section 7 against our server at `base`, and a second server of ours with the response cache off
 * (FRONT_CACHE_MB=0) for the cold rows: there every request goes through Next, as the first one
 * after a change does.
 */
async function runDocuments(base: string): Promise<DocumentRow[]> {
  const coldDir = tempDir("documents-cold");
  const cold = await startOurServer(coldDir, { FRONT_CACHE_MB: "0" });
  try {
    console.error(`bench: public documents (${DOC_WARMUP}s warm-up + ${DOC_DURATION}s per row; cache-off server on ${cold.base})…`);
    return await measureDocuments(base, cold.base, { duration: DOC_DURATION, warmup: DOC_WARMUP, connections: CONNECTIONS }, children);
  } finally {
    await stop(cold.child);
    removeTempDir(coldDir);
  }
}

function printDocuments(rows: DocumentRow[]) {
  console.log("");
  console.log(
    `7. public documents, ${CONNECTIONS} connections, ${DOC_WARMUP}s warm-up + ${DOC_DURATION}s per row, autocannon; every answer checked byte for byte`,
  );
  console.log("");
  const find = (document: string, server: DocumentRow["server"], gzip: boolean) =>
    rows.find((r) => r.document === document && r.server === server && r.gzip === gzip)?.result.requests.mean;
  const ping = find("trivial route (GET /api/ping)", "ours", false);
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${fmt(a / b, 2)}×` : "—");
  const documents = [...new Set(rows.filter((r) => r.server !== "cold").map((r) => r.document))];
  const lines: string[][] = [["document", "gzip", "bare req/s", "ours req/s", "Fedify req/s", "ours/bare", "ours/Fedify", "ours/trivial route"]];
  for (const document of documents) {
    for (const gzip of [false, true]) {
      const bare = find(document, "bare", gzip);
      const ours = find(document, "ours", gzip);
      const fedify = find(document, "fedify", gzip);
      lines.push([
        document,
        gzip ? "yes" : "no",
        bare ? fmt(bare) : "—",
        ours ? fmt(ours) : "—",
        fedify ? fmt(fedify) : "—",
        ratio(ours, bare),
        ratio(ours, fedify),
        ratio(ours, ping),
      ]);
    }
  }
  table(lines, 2);
  console.log("(the bare server answers our own bytes for the actor and WebFinger; for the ld+json actor it is");
  console.log(" the same bytes as the activity+json row, so only its 'ours' and 'Fedify' columns are filled;");
  console.log(" Fedify has no WebFinger by did:key)");
  // Cold: a second server of ours with the response cache off, so every request goes through Next
  // (the first request for a document, or the first after a change), against its own trivial route.
  console.log("");
  console.log("cold answers (a second server of ours, response cache off: every request through Next)");
  console.log("");
  const coldPing = (gzip: boolean) => find("trivial route (GET /api/ping)", "cold", gzip);
  const cold: string[][] = [["document", "gzip", "cold req/s", "trivial route req/s", "cold/trivial route"]];
  for (const document of [...new Set(rows.filter((r) => r.server === "cold").map((r) => r.document))]) {
    if (document.startsWith("trivial route")) continue;
    for (const gzip of [false, true]) {
      const value = find(document, "cold", gzip);
      cold.push([document, gzip ? "yes" : "no", value ? fmt(value) : "—", coldPing(gzip) ? fmt(coldPing(gzip)!) : "—", ratio(value, coldPing(gzip))]);
    }
  }
  table(cold, 2);
}

/** `--only documents`: section 7 alone (with section 1's /auth/me for reference). */
async function mainDocumentsOnly() {
  const dataDir = tempDir("documents");
  const ours = await startOurServer(dataDir);
  const rows = await runDocuments(ours.base);
  await stop(ours.child);
  console.log("");
  printMachine();
  printDocuments(rows);
  const found = documentProblems(rows);
  if (found.length) throw new BenchError(found.join("; "));
}

/**
 * Section 8 on a server of its own (fresh data; private addresses allowed: the remote actor is on
 * loopback). A failure is returned, so the caller can still print the rest.
 */
async function runInbox(): Promise<InboxBenchResult | Error> {
  const dataDir = tempDir("inbox");
  try {
    const ours = await startOurServer(dataDir, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    console.error(`bench: verified inbox POSTs (${INBOX_WARMUP} warm-up + ${INBOX_COUNT} per inbox and server, ${CONNECTIONS} at a time)…`);
    try {
      return await measureInboxes(ours.base, { count: INBOX_COUNT, warmup: INBOX_WARMUP, connections: CONNECTIONS }, children);
    } finally {
      await stop(ours.child);
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    removeTempDir(dataDir);
  }
}

function printInbox(r: InboxBenchResult | Error) {
  console.log("");
  console.log(`8. verified inbox POSTs over HTTP, ours and Fedify 2.3.6 on the same draft-cavage signed Likes (unique ids, signed beforehand,`);
  if (r instanceof Error) {
    console.log(`   FAILED: ${r.message}`);
    return;
  }
  console.log(
    `   ${fmt(r.bodyBytes)}-byte bodies), ${INBOX_WARMUP} warm-up + ${fmt(INBOX_COUNT)} measured per inbox and server, ${CONNECTIONS} in flight, in 4`,
  );
  console.log(
    `   slices (ours, Fedify, Fedify, ours, …); the key fetched from a local "remote actor" (fetched by ours ${r.actorFetches.ours}×, by Fedify ` +
      `${r.actorFetches.others}×: the first requests arrive together, then each one's cache);`,
  );
  console.log('   every answer checked (ours 202 {"result":"ignored","type":"Like"}, Fedify 202 with an empty body)');
  console.log("");
  const find = (inbox: string, server: string) => r.rows.find((x) => x.inbox === inbox && x.server === server);
  const ping = find("ping", "ours");
  const lines: string[][] = [["inbox", "ours req/s", "Fedify req/s", "ours/Fedify", "ours p50 ms", "Fedify p50 ms", "ours/trivial route"]];
  for (const inbox of ["personal", "shared"] as const) {
    const o = find(inbox, "ours");
    const f = find(inbox, "fedify");
    if (!o || !f) continue;
    lines.push([
      inbox === "personal" ? "POST /users/{name}/inbox" : "POST /inbox (shared)",
      fmt(o.perSecond),
      fmt(f.perSecond),
      `${fmt(o.perSecond / f.perSecond, 2)}×`,
      fmt(o.latencyMs.p50, 1),
      fmt(f.latencyMs.p50, 1),
      ping ? `${fmt(o.perSecond / ping.perSecond, 2)}×` : "—",
    ]);
  }
  if (ping) lines.push(["trivial route (GET /api/ping)", fmt(ping.perSecond), "—", "—", fmt(ping.latencyMs.p50, 1), "—", "1.00×"]);
  table(lines);
  console.log("");
  console.log(`   after the run: ${r.checks.join("; ")}`);
}

/** `--only inbox`: section 8 alone. */
async function mainInboxOnly() {
  const r = await runInbox();
  console.log("");
  printMachine();
  printInbox(r);
  if (r instanceof Error) throw new BenchError(`inbox: ${r.message}`);
}

// ---------------------------------------------------------------------------------------------

/** Whether a section runs: every one without --only, else only the one named. */
const runs = (section: "authme" | "registrations" | "list" | "federation" | "clients-anchors" | "inbox") => ONLY === undefined || ONLY === section;

async function main() {
  if (ONLY === "clients-anchors") return mainClientsAnchorsOnly();
  if (ONLY === "documents") return mainDocumentsOnly();
  if (ONLY === "inbox") return mainInboxOnly();
  const started = performance.now();
  const loadStart = os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
  const needsServer = runs("authme") || runs("registrations") || runs("list") || runs("inbox");
  if (needsServer) ensureBuild(); // fail early, before the in-process measurements

  let micro: MicroResult | undefined;
  if (runs("registrations")) {
    console.error(`bench: in-process costs (${MICRO_MS} ms per operation)…`);
    micro = await runChild<MicroResult>("micro.ts", { durationMs: MICRO_MS } satisfies MicroOptions, "[micro]", 300_000);
  }

  let federation: FederationResult | Error | undefined;
  if (runs("federation")) {
    console.error(`bench: federation in process (${FED_INBOX} inbox POSTs per scheme, ${FED_ROUNDS} fan-out rounds)…`);
    const fedOpts: FederationOptions = {
      inboxCount: FED_INBOX,
      followers: FED_FOLLOWERS,
      hosts: FED_HOSTS,
      concurrency: FED_CONCURRENCY,
      rounds: FED_ROUNDS,
    };
    // A failure here is reported (and fails the bench at the end), but the other sections still run.
    federation = await runChild<FederationResult>("federation.ts", fedOpts, "[federation]", 300_000).catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    );
  }
  const clientsAnchors = runs("clients-anchors") ? await runClientsAnchors() : undefined;

  let seeded: SeededSet[] = [];
  if (runs("list")) {
    const listSizes = [...new Set([LIST_SMALL, LIST_LARGE])];
    console.error(`bench: seeding ${listSizes.join(" and ")} assets…`);
    const seedOpts: SeedOptions = {
      sets: listSizes.map((count) => ({ dir: tempDir(`list${count}`), count })),
      limit: LIST_LIMIT,
      timeMs: Math.ceil(MICRO_MS / 2),
    };
    seeded = await runChild<SeededSet[]>("seed.ts", seedOpts, "[seed]", 3_600_000);
  }

  let oursResult: AutocannonResult | undefined;
  let bareResult: AutocannonResult | undefined;
  let registrations: RegisterLoadResult[] | undefined;
  let documentRows: DocumentRow[] | undefined;
  if (runs("authme") || runs("registrations")) {
    const dataDir = tempDir("main");
    const ours = await startOurServer(dataDir);
    console.error(`bench: our server answers on ${ours.base} (data in ${dataDir})`);
    const captured = await registerAndCapture(ours.base);
    console.error(`bench: /auth/me body (${captured.contentType}): ${captured.body}`);
    if (runs("authme")) {
      const bare = await startBareServer(captured);
      console.error(`bench: bare server answers on ${bare.base}`);
      oursResult = await measure("ours", ours.base, captured);
      bareResult = await measure("bare", bare.base, captured);
      await stop(bare.child);
    }
    if (runs("authme")) documentRows = await runDocuments(ours.base);
    if (runs("registrations")) registrations = await measureRegistrations(ours.base, captured.token);
    await stop(ours.child);
    removeTempDir(dataDir);
  }

  // One server per size, all up at once so the rounds can alternate between them (an idle server
  // costs next to nothing: its job queue polls the database every few seconds).
  const cases: ListCase[] = [];
  if (runs("list")) {
    const listServers: ChildProcess[] = [];
    for (const set of seeded) {
      const server = await startOurServer(set.dir);
      listServers.push(server.child);
      console.error(`bench: our server on ${set.count} assets answers on ${server.base}`);
      for (const page of ["first", "deep"] as const) cases.push(await captureListPage(server.base, set, page));
    }
    await measureLists(cases);
    await Promise.all(listServers.map((child) => stop(child)));
    for (const set of seeded) removeTempDir(set.dir);
  }

  const inbox = runs("inbox") ? await runInbox() : undefined;

  console.log("");
  printMachine();
  console.log(
    `load average at the start ${loadStart}, at the end ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")} ` + "(other processes on the machine weigh on every figure)",
  );
  if (oursResult && bareResult) printAuthMe(oursResult, bareResult);
  if (registrations && micro) printRegistrations(registrations, micro);
  if (runs("list")) printList(cases, seeded);
  if (federation) printFederation(federation);
  if (clientsAnchors) printClientsAnchors(clientsAnchors);
  if (documentRows) printDocuments(documentRows);
  if (inbox) printInbox(inbox);
  console.log("");
  console.log(`(bench took ${fmt((performance.now() - started) / 1000, 0)} s)`);

  const found = [
    ...(oursResult ? problems(oursResult).map((p) => `our server, /auth/me: ${p}`) : []),
    ...(bareResult ? problems(bareResult).map((p) => `bare server: ${p}`) : []),
    ...(federation instanceof Error ? [`federation: ${federation.message}`] : []),
    ...(clientsAnchors instanceof Error ? [`clients-anchors: ${clientsAnchors.message}`] : []),
    ...documentProblems(documentRows ?? []),
    ...(inbox instanceof Error ? [`inbox: ${inbox.message}`] : []),
  ];
  if (found.length) throw new BenchError(found.join("; "));
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
