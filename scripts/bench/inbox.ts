// Section 8 of `npm run bench`: verified inbox POSTs over HTTP, ours beside Fedify 2.3.6 on the same
// signed traffic. A "remote actor" (a node:http server on loopback, in this process) serves its actor
// document with an RSA-2048 key; both servers fetch that key once and then use their cache. For each
// inbox (a user's, and the shared one) `count` distinct Likes (unique ids, so neither side dedupes
// them away; the same bodies for both servers) are signed beforehand with draft-cavage — `(request-
// target) host date digest`, signed once per target since the host differs — so no signing happens
// in the measured window. They are sent by a small closed-loop loader (node:http, keep-alive,
// `connections` requests in flight), in four slices per server (ours, Fedify, Fedify, ours, …),
// after a warm-up of every target (which also makes each server fetch the key). Every answer must
// be the expected one (ours: 202 `{"result":"ignored","type":"Like"}`; Fedify: 202 with an empty body, what it answers an activity
// its listener processed — a duplicate gets another body), or no figure is reported. After the run the
// effects are checked: our user's inbox (GET /users/{u}/inbox, Bearer token) holds every Like, Fedify's
// listeners counted every one, and a replayed sample of each inbox's Likes is answered as a duplicate
// by both. GET /api/ping, loaded the same way, is the floor of a request that enters Next.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { signRequest } from "../../lib/http-signatures";

export interface InboxBenchOptions {
  /** Measured POSTs per inbox and server. */
  count: number;
  /** Warm-up POSTs per inbox and server (not measured). */
  warmup: number;
  connections: number;
}

export interface InboxBenchRow {
  /** "personal" (POST /users/{name}/inbox), "shared" (POST /inbox) or "ping" (GET /api/ping, ours only). */
  inbox: "personal" | "shared" | "ping";
  server: "ours" | "fedify";
  requests: number;
  elapsedMs: number;
  perSecond: number;
  latencyMs: { mean: number; p50: number; p99: number };
}

export interface InboxBenchResult {
  rows: InboxBenchRow[];
  bodyBytes: number;
  /** Key fetches the remote actor served: ours (signed by our instance actor) and the others (Fedify). */
  actorFetches: { ours: number; others: number };
  /** Effects checked after the run, in words. */
  checks: string[];
}

const root = path.resolve(import.meta.dirname, "..", "..");
const FEDIFY_USER = "bench";
const OUR_ANSWER = JSON.stringify({ result: "ignored", type: "Like" });
const OUR_DUPLICATE = JSON.stringify({ result: "duplicate" });
const REPLAYED = 50;
const SLICES = 4;

interface Prepared {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function startFedify(children: Set<ChildProcess>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bench", "fedify-server.ts")], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("fedify-server.ts did not start within 60s")), 60_000);
    child.once("message", (m: { port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: m.port });
    });
    child.once("exit", (code, signal) => reject(new Error(`fedify-server.ts exited (${code ?? signal})`)));
  });
}

function fedifyCounts(child: ChildProcess): Promise<{ personal: number; shared: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Fedify did not report its counts within 10s")), 10_000);
    const onMessage = (m: { counts?: { personal: number; shared: number } }) => {
      if (!m.counts) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(m.counts);
    };
    child.on("message", onMessage);
    child.send({ counts: true });
  });
}

/**
 * The "remote actor": a node:http server on loopback serving one Person with an RSA-2048 key, and
 * counting the fetches of its document (signed ones, i.e. ours — keyId on `ourOrigin` — apart).
 */
export async function startRemoteActor(ourOrigin: string) {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const fetches = { ours: 0, others: 0 };
  let actor = "";
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url !== "/users/remote") return void res.writeHead(404).end();
    if (String(req.headers.signature ?? "").includes(`keyId="${ourOrigin}/`)) fetches.ours++;
    else fetches.others++;
    res.writeHead(200, { "content-type": "application/activity+json" }).end(
      JSON.stringify({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        id: actor,
        type: "Person",
        preferredUsername: "remote",
        inbox: `${actor}/inbox`,
        publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem },
      }),
    );
  });
  actor = `http://127.0.0.1:${await listen(server)}/users/remote`;
  return {
    actor,
    key: { privateKey, keyId: `${actor}#main-key` },
    fetches,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A Like from `actor` with a fresh id: the same bytes go to every server. */
export function likeBody(actor: string, i: number): string {
  return JSON.stringify({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${actor}/likes/${randomUUID()}`,
    type: "Like",
    actor,
    object: `${actor}/notes/${i}`,
  });
}

/** Signs one POST for one target: the body's bytes are the same for every target, the host and path are not. */
export function prepare(port: number, target: string, body: string, key: { privateKey: KeyObject; keyId: string }, now: Date): Prepared {
  const url = `http://127.0.0.1:${port}${target}`;
  const signed = signRequest(
    { method: "POST", url, headers: new Headers({ host: `127.0.0.1:${port}`, "content-type": "application/activity+json" }), body },
    { privateKey: key.privateKey, keyId: key.keyId, spec: "draft-cavage", now },
  );
  const bytes = Buffer.from(body);
  const headers: Record<string, string> = { ...Object.fromEntries(signed.entries()), "content-length": String(bytes.length) };
  return { port, path: target, headers, body: bytes };
}

/** One request on the agent's kept-alive connections; resolves with the status and body. */
function send(
  agent: http.Agent,
  r: { port: number; path: string; method: string; headers: Record<string, string>; body?: Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: r.port, path: r.path, method: r.method, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timed out after 30s")));
    req.on("error", reject);
    req.end(r.body);
  });
}

class InboxCheckError extends Error {}

/**
 * Sends every request, `connections` at a time, each answer checked (`expect` throws on a wrong
 * one; the first failure stops the run and is thrown). Returns the latencies and the wall time.
 */
export async function load(
  agent: http.Agent,
  requests: { port: number; path: string; method: string; headers: Record<string, string>; body?: Buffer }[],
  connections: number,
  expect: (answer: { status: number; body: string }, i: number) => void,
  /** Stop sending once this many ms have passed (default: send them all). */
  maxMs = Infinity,
): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  let failure: unknown = null;
  const started = performance.now();
  const end = started + maxMs;
  await Promise.all(
    Array.from({ length: Math.min(connections, requests.length) }, async () => {
      while (failure === null && next < requests.length && performance.now() < end) {
        const i = next++;
        const t0 = performance.now();
        try {
          expect(await send(agent, requests[i]), i);
          latencies.push(performance.now() - t0);
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== null) throw failure;
  return { latencies, elapsedMs: performance.now() - started };
}

/** Closed loop for a fixed time, for the GET /api/ping reference. */
async function loadFor(
  agent: http.Agent,
  request: { port: number; path: string; method: string; headers: Record<string, string> },
  connections: number,
  ms: number,
  expect: (a: { status: number; body: string }) => void,
) {
  const latencies: number[] = [];
  let failure: unknown = null;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (failure === null && performance.now() < end) {
        const t0 = performance.now();
        try {
          expect(await send(agent, request));
          latencies.push(performance.now() - t0);
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== null) throw failure;
  return { latencies, elapsedMs: performance.now() - started };
}

function summarize(inbox: InboxBenchRow["inbox"], server: InboxBenchRow["server"], latencies: number[], elapsedMs: number): InboxBenchRow {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return {
    inbox,
    server,
    requests: sorted.length,
    elapsedMs,
    perSecond: (sorted.length * 1000) / elapsedMs,
    latencyMs: { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: at(50), p99: at(99) },
  };
}

/**
 * Registers a user on our server (`ourBase`, which must allow private addresses: the remote actor
 * is on loopback), starts Fedify and the remote actor, and measures. `children` collects the
 * processes started here so the caller can stop them on any exit.
 */
export async function measureInboxes(ourBase: string, options: InboxBenchOptions, children: Set<ChildProcess>): Promise<InboxBenchResult> {
  const ourPort = Number(new URL(ourBase).port);
  const username = `inbox_${randomBytes(4).toString("hex")}`;
  const reg = await fetch(`${ourBase}/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ username, password: randomBytes(16).toString("hex") }),
  });
  const regText = await reg.text();
  if (reg.status !== 201) throw new Error(`POST /auth/register answered ${reg.status}: ${regText}`);
  const token = (JSON.parse(regText) as { access_token: string }).access_token;

  const remote = await startRemoteActor(`http://127.0.0.1:${ourPort}`);
  const { actor, key } = remote;

  const fedify = await startFedify(children);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    const targets = {
      personal: { ours: `/users/${username}/inbox`, fedify: `/users/${FEDIFY_USER}/inbox` },
      shared: { ours: "/inbox", fedify: "/inbox" },
    } as const;
    const total = options.warmup + options.count;
    const now = new Date();
    let bodyBytes = 0;
    const prepared = { personal: { ours: [] as Prepared[], fedify: [] as Prepared[] }, shared: { ours: [] as Prepared[], fedify: [] as Prepared[] } };
    console.error(`bench: inbox: signing ${4 * total} POSTs (draft-cavage, rsa-sha256) before the measured window…`);
    for (const inbox of ["personal", "shared"] as const) {
      for (let i = 0; i < total; i++) {
        const body = likeBody(actor, i);
        bodyBytes = Buffer.byteLength(body);
        prepared[inbox].ours.push(prepare(ourPort, targets[inbox].ours, body, key, now));
        prepared[inbox].fedify.push(prepare(fedify.port, targets[inbox].fedify, body, key, now));
      }
    }
    const post = (p: Prepared) => ({ ...p, method: "POST" });
    const expectOurs = (a: { status: number; body: string }, i: number) => {
      if (a.status !== 202 || a.body !== OUR_ANSWER) throw new InboxCheckError(`ours: POST ${i} answered ${a.status}: ${a.body.slice(0, 300)}`);
    };
    const expectFedify = (a: { status: number; body: string }, i: number) => {
      if (a.status !== 202 || a.body !== "") throw new InboxCheckError(`Fedify: POST ${i} answered ${a.status}: ${a.body.slice(0, 300)}`);
    };
    const expects = { ours: expectOurs, fedify: expectFedify };

    // Every target warmed up first (Next loads a route's code on its first request, and both
    // servers' code is compiled as it runs hot), and each server fetches the key here.
    for (const inbox of ["personal", "shared"] as const) {
      for (const server of ["ours", "fedify"] as const) {
        console.error(`bench: inbox: ${server} ${inbox}: warm-up of ${options.warmup}…`);
        await load(agent, prepared[inbox][server].slice(0, options.warmup).map(post), options.connections, expects[server]);
      }
    }
    // Then SLICES slices per inbox, ours and Fedify alternating who goes first (ours, Fedify, Fedify,
    // ours, …): a drift in the machine's speed weighs on both alike.
    const rows: InboxBenchRow[] = [];
    for (const inbox of ["personal", "shared"] as const) {
      const acc = { ours: { latencies: [] as number[], elapsedMs: 0 }, fedify: { latencies: [] as number[], elapsedMs: 0 } };
      for (let k = 0; k < SLICES; k++) {
        const from = options.warmup + Math.floor((k * options.count) / SLICES);
        const to = options.warmup + Math.floor(((k + 1) * options.count) / SLICES);
        for (const server of k % 2 === 0 ? (["ours", "fedify"] as const) : (["fedify", "ours"] as const)) {
          console.error(`bench: inbox: ${server} ${inbox}: ${to - from} POSTs, ${options.connections} at a time…`);
          const r = await load(agent, prepared[inbox][server].slice(from, to).map(post), options.connections, expects[server]);
          acc[server].latencies.push(...r.latencies);
          acc[server].elapsedMs += r.elapsedMs;
        }
      }
      for (const server of ["ours", "fedify"] as const) rows.push(summarize(inbox, server, acc[server].latencies, acc[server].elapsedMs));
    }

    // The floor of a request entering Next, loaded the same way for the mean time of one inbox row.
    const ping = { port: ourPort, path: "/api/ping", method: "GET", headers: { accept: "application/json", host: `127.0.0.1:${ourPort}` } };
    const pingBody = (await send(agent, ping)).body;
    const expectPing = (a: { status: number; body: string }) => {
      if (a.status !== 200 || a.body !== pingBody) throw new InboxCheckError(`ours: GET /api/ping answered ${a.status}: ${a.body.slice(0, 300)}`);
    };
    await loadFor(agent, ping, options.connections, 1000, expectPing);
    const pingMs = Math.max(2000, Math.min(10_000, rows.filter((r) => r.server === "ours").reduce((a, r) => a + r.elapsedMs, 0) / 2));
    console.error(`bench: inbox: GET /api/ping for ${(pingMs / 1000).toFixed(1)}s…`);
    const p = await loadFor(agent, ping, options.connections, pingMs, expectPing);
    rows.push(summarize("ping", "ours", p.latencies, p.elapsedMs));

    // The effects.
    const checks: string[] = [];
    const inboxPage = await fetch(`${ourBase}/users/${username}/inbox`, { headers: { authorization: `Bearer ${token}`, accept: "application/activity+json" } });
    const inboxText = await inboxPage.text();
    const totalItems = inboxPage.status === 200 ? (JSON.parse(inboxText) as { totalItems?: number }).totalItems : undefined;
    if (totalItems !== total)
      throw new InboxCheckError(
        `ours: GET /users/${username}/inbox answered ${inboxPage.status}, totalItems ${totalItems}, expected ${total}: ${inboxText.slice(0, 300)}`,
      );
    checks.push(`our user's inbox holds ${total} items (GET /users/{name}/inbox totalItems)`);
    const counts = await fedifyCounts(fedify.child);
    if (counts.personal !== total || counts.shared !== total) {
      throw new InboxCheckError(`Fedify's listeners counted ${counts.personal} personal and ${counts.shared} shared Likes, expected ${total} each`);
    }
    checks.push(`Fedify's listeners kept ${counts.personal} personal and ${counts.shared} shared Likes`);
    // Replays: every replayed Like is recognised as already processed by both.
    for (const inbox of ["personal", "shared"] as const) {
      const sample = Array.from({ length: REPLAYED }, (_, k) => Math.floor((k * total) / REPLAYED));
      for (const i of sample) {
        const o = await send(agent, post(prepared[inbox].ours[i]));
        if (o.status !== 202 || o.body !== OUR_DUPLICATE)
          throw new InboxCheckError(`ours: the replay of ${inbox} POST ${i} answered ${o.status}: ${o.body.slice(0, 300)}`);
        const f = await send(agent, post(prepared[inbox].fedify[i]));
        if (f.status !== 202 || !/has already been processed/.test(f.body)) {
          throw new InboxCheckError(`Fedify: the replay of ${inbox} POST ${i} answered ${f.status}: ${f.body.slice(0, 300)}`);
        }
      }
    }
    checks.push(`${REPLAYED} replays per inbox answered as duplicates by both`);
    return { rows, bodyBytes, actorFetches: { ...remote.fetches }, checks };
  } finally {
    agent.destroy();
    remote.close();
    fedify.child.kill("SIGTERM");
  }
}
