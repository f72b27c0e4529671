// `npm run profile -- [--target actor|webfinger|ping|verify|register|inbox] [--seconds 10] [--gzip] [--no-cache] [--save f.cpuprofile]`:
// where one kind of request spends our server's CPU (--no-cache: the response cache off,
// FRONT_CACHE_MB=0, so every request is a cold one through Next; register: POST /assets with a
// Bearer token and fresh content hashes; inbox: distinct draft-cavage signed Likes (signed
// beforehand) POSTed to a user's inbox from a local "remote actor" (scripts/bench/inbox.ts; the
// server allows private addresses), every answer checked). Starts our server (built, embedded database, a temporary data
// folder) under `node --cpu-prof`, registers a user, loads the target with autocannon (10
// connections; `register`: POST /assets with the user's Bearer token, each body with a fresh name and
// content hash, from 8 closed-loop clients as scripts/bench/register-load.ts does), stops the server (it drains and exits, so V8 writes the profile) and prints the
// functions with the most self time, and the same time grouped by where the code comes from
// (Next, React, Node's internals, our lib/, …). docs/performance.md quotes it.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { likeBody, load, prepare, startRemoteActor } from "./bench/inbox";
import { registerLoad } from "./bench/register-load";

const root = path.resolve(import.meta.dirname, "..");
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const TARGET = arg("target", "actor");
const SECONDS = Number(arg("seconds", "10"));
const GZIP = argv.includes("--gzip");
const NO_CACHE = argv.includes("--no-cache");
const TOP = Number(arg("top", "25"));
/** Where to keep a copy of the .cpuprofile (e.g. to open in Chrome's DevTools); by default it is removed with the data folder. */
const SAVE = arg("save", "");

type Autocannon = (opts: Record<string, unknown>) => PromiseLike<{ requests: { mean: number; total: number }; non2xx: number; errors: number }>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Where a frame's code comes from, for the grouped view. */
function origin(url: string, name: string): string {
  if (name === "(garbage collector)") return "garbage collection";
  if (name === "(program)" || name === "(idle)") return name;
  if (!url) return "V8 / native";
  if (url.startsWith("node:")) return "Node internals";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] === "next" && /compiled\/react|react-server-dom/.test(url) ? "react (in next)" : m[1];
  const rel = url.replace(/^file:\/\//, "").replace(`${root}/`, "");
  if (rel.startsWith(".next/")) return "our app (built)";
  const lib = /^lib\/([^/]+)/.exec(rel);
  if (lib) return `lib/${lib[1]}`;
  return rel.split("/")[0] || url;
}

async function main() {
  const data = mkdtempSync(path.join(os.tmpdir(), "artdag-profile-"));
  const profiles = path.join(data, "profiles");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profiles}`, "--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    // stdout (info lines: an access line per request, as in production) is written and dropped;
    // warnings and errors (stderr) are shown.
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      ARTDAG_DATA: data,
      ARTDAG_DOMAIN: `127.0.0.1:${port}`,
      ARTDAG_SCHEME: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: "",
      FEDERATION_ALLOW_PRIVATE_ADDRESSES: TARGET === "inbox" ? "true" : "false",
      JWT_SECRET: randomBytes(32).toString("hex"),
      RATE_LIMIT_REGISTER: "1000000/60",
      ...(NO_CACHE ? { FRONT_CACHE_MB: "0" } : {}),
    },
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 900) throw new Error("our server did not start");
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const username = `prof_${randomBytes(3).toString("hex")}`;
    const reg = await fetch(`${base}/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: randomBytes(12).toString("hex") }),
    });
    if (reg.status !== 201) throw new Error(`register answered ${reg.status}`);
    const { access_token: accessToken } = (await reg.json()) as { access_token: string };
    if (!accessToken) throw new Error("register gave no access_token");
    let summary: string;
    let total: number;
    let loadStart = performance.now();
    if (TARGET === "register") {
      await registerLoad(base, accessToken, 8, 2000, 0); // warm-up
      loadStart = performance.now();
      const r = await registerLoad(base, accessToken, 8, SECONDS * 1000, 0);
      total = r.requests;
      summary = `register (POST /assets, 8 clients): ${r.perSecond.toFixed(1)} reg/s, ${r.requests} registrations, every answer 201`;
    } else if (TARGET === "inbox") {
      // Enough signed Likes for the run at up to 600/s; each is answered 202 {"result":"ignored",…}.
      const remote = await startRemoteActor(base);
      const signed = Array.from({ length: 200 + SECONDS * 600 }, (_, i) => ({
        ...prepare(port, `/users/${username}/inbox`, likeBody(remote.actor, i), remote.key, new Date()),
        method: "POST",
      }));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
      const expect = (a: { status: number; body: string }) => {
        if (a.status !== 202 || a.body !== '{"result":"ignored","type":"Like"}') throw new Error(`the inbox answered ${a.status}: ${a.body.slice(0, 300)}`);
      };
      await load(agent, signed.slice(0, 200), 10, expect); // warm-up (and the key fetch)
      loadStart = performance.now();
      const { latencies, elapsedMs } = await load(agent, signed.slice(200), 10, expect, SECONDS * 1000);
      if (latencies.length === signed.length - 200) throw new Error("ran out of signed requests before the time was up");
      total = latencies.length;
      summary = `inbox (POST /users/{name}/inbox, 10 in flight): ${((latencies.length * 1000) / elapsedMs).toFixed(0)} req/s, ${latencies.length} requests, every answer 202`;
      agent.destroy();
      remote.close();
    } else {
      // A renderer login as an L1 checks it: attach to the first configured L1 (nothing is sent to it)
      // and introspect the scoped token from the redirect.
      const l1 = (
        (await (await fetch(`${base}/api/renderers`, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } })).json()) as {
          l1_server: string;
        }[]
      )[0]?.l1_server;
      const attach = await fetch(`${base}/renderers/attach`, {
        method: "POST",
        redirect: "manual",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ l1_server: l1 }),
      });
      const scoped = new URL(attach.headers.get("location") ?? "http://x/").searchParams.get("auth_token");
      if (attach.status !== 303 || !scoped || !l1) throw new Error(`POST /renderers/attach answered ${attach.status}`);
      const targets: Record<string, { url: string; headers: Record<string, string>; body?: string }> = {
        actor: { url: `${base}/users/${username}`, headers: { accept: "application/activity+json" } },
        webfinger: { url: `${base}/.well-known/webfinger?resource=acct:${username}@127.0.0.1:${port}`, headers: { accept: "application/jrd+json" } },
        ping: { url: `${base}/api/ping`, headers: { accept: "application/json" } },
        verify: {
          url: `${base}/auth/verify`,
          headers: { accept: "application/json", "content-type": "application/json" },
          body: JSON.stringify({ token: scoped, l1_server: l1 }),
        },
      };
      const target = targets[TARGET];
      if (!target) throw new Error(`--target must be one of ${[...Object.keys(targets), "register", "inbox"].join(", ")}`);
      const headers = { ...target.headers, ...(GZIP ? { "accept-encoding": "gzip" } : {}) };
      const method = target.body === undefined ? {} : { method: "POST", body: target.body };
      await autocannon({ url: target.url, headers, ...method, connections: 10, duration: 2 }); // warm-up
      loadStart = performance.now();
      const r = await autocannon({ url: target.url, headers, ...method, connections: 10, duration: SECONDS });
      total = r.requests.total;
      summary = `${TARGET}${GZIP ? " (gzip)" : ""}${NO_CACHE ? " (cache off)" : ""}: ${r.requests.mean.toFixed(0)} req/s, ${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors`;
    }
    console.log(summary);
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    // Only the samples taken while the load ran: the profile ends when the process exits, so the
    // window is the last (exit − load start) of it. Start-up (Next's prepare, the database) is left out.
    const windowUs = (performance.now() - loadStart) * 1000;

    const file = readdirSync(profiles).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("no profile was written");
    if (SAVE) copyFileSync(path.join(profiles, file), path.resolve(SAVE));
    const profile = JSON.parse(readFileSync(path.join(profiles, file), "utf8")) as Profile;
    const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000; // ms per sample
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const hits = new Map<number, number>();
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i];
      if (at >= profile.endTime - windowUs) hits.set(id, (hits.get(id) ?? 0) + 1);
    });
    const byFunction = new Map<string, number>();
    const byOrigin = new Map<string, number>();
    let busy = 0;
    for (const [id, count] of hits) {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
      if (functionName === "(idle)") continue;
      busy += count;
      const short = url
        .replace(/^file:\/\//, "")
        .replace(`${root}/`, "")
        .replace(/.*node_modules\//, "");
      const key = `${functionName || "(anonymous)"}  ${short}${short ? `:${lineNumber + 1}` : ""}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + count);
      const o = origin(url, functionName);
      byOrigin.set(o, (byOrigin.get(o) ?? 0) + count);
    }
    const perRequest = (count: number) => ((count * interval * 1000) / total).toFixed(1);
    console.log(
      `\nCPU while serving: ${((busy * interval) / 1000).toFixed(1)} s busy; per request ${perRequest(busy)} µs (samples during the load and the drain only)\n`,
    );
    console.log("self time by origin            share   µs/request");
    for (const [o, c] of [...byOrigin].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`${o.padEnd(30)} ${((100 * c) / busy).toFixed(1).padStart(5)}%  ${perRequest(c).padStart(8)}`);
    }
    console.log(`\ntop ${TOP} functions by self time`);
    for (const [k, c] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      console.log(`${((100 * c) / busy).toFixed(1).padStart(5)}%  ${k}`);
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(data, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`profile: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
