// Section 7 of `npm run bench`: the public documents every follower's server fetches when a claim
// travels — the actor (both Accept forms) and WebFinger (acct: and a client's did:key) — served warm
// by our server (from the front door's response cache), cold by a second server of ours with the
// cache off (every request through Next, as the first one after a change), beside the same bytes
// from a bare node:http server (scripts/bench/documents-server.ts, the floor of any Node server),
// the same documents from Fedify 2.3.6 (scripts/bench/fedify-server.ts, the independent reference),
// and a trivial route handler of ours (GET /api/ping: the floor of a request that enters Next), each
// without and with `Accept-Encoding: gzip`. Every server runs in its own process; every answer under
// load must be the status and the exact bytes captured before the run, or the figure is refused.
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { didKeyFromEd25519 } from "../../lib/crypto";

export interface DocumentsOptions {
  duration: number;
  warmup: number;
  connections: number;
}

interface Histogram {
  mean: number;
  stddev: number;
  total: number;
  p50: number;
  p99: number;
}
export interface LoadResult {
  requests: Histogram;
  latency: Histogram;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => PromiseLike<LoadResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface DocumentRow {
  document: string;
  /** "cold": ours with the response cache off. */
  server: "bare" | "ours" | "cold" | "fedify";
  gzip: boolean;
  result: LoadResult;
}

interface Captured {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const root = path.resolve(import.meta.dirname, "..", "..");

/** One request with raw bytes back (fetch would undo the gzip we want to compare byte for byte). */
function rawGet(url: string, headers: Record<string, string>, post?: string): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: post === undefined ? "GET" : "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(post);
  });
}

function startChild(script: string, message: unknown, children: Set<ChildProcess>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bench", script)], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60s`)), 60_000);
    child.once("message", (m: { port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: m.port });
    });
    child.once("exit", (code, signal) => reject(new Error(`${script} exited (${code ?? signal})`)));
    if (message !== undefined) child.send(message as object);
  });
}

interface Case {
  document: string;
  server: DocumentRow["server"];
  url: string;
  headers: Record<string, string>;
  /** A POST with this body (else a GET). */
  post?: string;
}

const AS_JSON = "application/activity+json";
const LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** A fresh user on our server at `base` with a registered client did:key; its bearer token. */
async function registerUser(base: string): Promise<{ username: string; accessToken: string; didKey: string }> {
  const username = `docs_${randomBytes(4).toString("hex")}`;
  const reg = await fetch(`${base}/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ username, password: randomBytes(16).toString("hex") }),
  });
  const regText = await reg.text();
  if (reg.status !== 201) throw new Error(`POST /auth/register answered ${reg.status}: ${regText}`);
  const accessToken = (JSON.parse(regText) as { access_token: string }).access_token;
  // A client key, for WebFinger by did:key (BIN-2: a client finds its actor this way).
  const didKey = didKeyFromEd25519(generateKeyPairSync("ed25519").publicKey);
  const key = await fetch(`${base}/auth/client-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ did_key: didKey, label: "bench" }),
  });
  if (key.status !== 201) throw new Error(`POST /auth/client-keys answered ${key.status}: ${await key.text()}`);
  return { username, accessToken, didKey };
}

/**
 * Measures every case against a running server of ours (`ourBase`) and one with the response cache
 * off (`coldBase`). `children` collects the processes started here so the caller can stop them on
 * any exit.
 */
export async function measureDocuments(ourBase: string, coldBase: string, options: DocumentsOptions, children: Set<ChildProcess>): Promise<DocumentRow[]> {
  const { username, accessToken, didKey } = await registerUser(ourBase);
  // A renderer login, as an L1 checks it (#20 item 6): attach to the first configured L1 (nothing is
  // sent to it), and introspect the scoped token from the redirect.
  const l1 = (
    (await (await fetch(`${ourBase}/api/renderers`, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } })).json()) as {
      l1_server: string;
    }[]
  )[0]?.l1_server;
  if (!l1) throw new Error("our server lists no L1 to attach to");
  const attach = await fetch(`${ourBase}/renderers/attach`, {
    method: "POST",
    redirect: "manual",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ l1_server: l1 }),
  });
  const scoped = new URL(attach.headers.get("location") ?? "http://x/").searchParams.get("auth_token");
  if (attach.status !== 303 || !scoped) throw new Error(`POST /renderers/attach answered ${attach.status}`);
  const ourHost = new URL(ourBase).host;
  const coldUser = await registerUser(coldBase);
  const coldHost = new URL(coldBase).host;

  const fedify = await startChild("fedify-server.ts", undefined, children);
  const fedifyBase = `http://127.0.0.1:${fedify.port}`;
  const fedifyHost = `127.0.0.1:${fedify.port}`;

  const ours: Case[] = [
    { document: "trivial route (GET /api/ping)", server: "ours", url: `${ourBase}/api/ping`, headers: { accept: "application/json" } },
    {
      document: "POST /auth/verify (a renderer login)",
      server: "ours",
      url: `${ourBase}/auth/verify`,
      headers: { accept: "application/json", "content-type": "application/json" },
      post: JSON.stringify({ token: scoped, l1_server: l1 }),
    },
    { document: "actor, Accept: activity+json", server: "ours", url: `${ourBase}/users/${username}`, headers: { accept: AS_JSON } },
    { document: "actor, Accept: ld+json profile", server: "ours", url: `${ourBase}/users/${username}`, headers: { accept: LD_JSON } },
    {
      document: "WebFinger acct:",
      server: "ours",
      url: `${ourBase}/.well-known/webfinger?resource=acct:${username}@${ourHost}`,
      headers: { accept: "application/jrd+json" },
    },
    { document: "WebFinger did:key", server: "ours", url: `${ourBase}/.well-known/webfinger?resource=${didKey}`, headers: { accept: "application/jrd+json" } },
  ];
  // Cold: every request through Next (the cache is off), against the trivial route on that server.
  const cold: Case[] = [
    { document: "trivial route (GET /api/ping)", server: "cold", url: `${coldBase}/api/ping`, headers: { accept: "application/json" } },
    { document: "actor, Accept: activity+json", server: "cold", url: `${coldBase}/users/${coldUser.username}`, headers: { accept: AS_JSON } },
    {
      document: "WebFinger acct:",
      server: "cold",
      url: `${coldBase}/.well-known/webfinger?resource=acct:${coldUser.username}@${coldHost}`,
      headers: { accept: "application/jrd+json" },
    },
    {
      document: "WebFinger did:key",
      server: "cold",
      url: `${coldBase}/.well-known/webfinger?resource=${coldUser.didKey}`,
      headers: { accept: "application/jrd+json" },
    },
  ];
  const theirs: Case[] = [
    { document: "actor, Accept: activity+json", server: "fedify", url: `${fedifyBase}/users/bench`, headers: { accept: AS_JSON } },
    { document: "actor, Accept: ld+json profile", server: "fedify", url: `${fedifyBase}/users/bench`, headers: { accept: LD_JSON } },
    {
      document: "WebFinger acct:",
      server: "fedify",
      url: `${fedifyBase}/.well-known/webfinger?resource=acct:bench@${fedifyHost}`,
      headers: { accept: "application/jrd+json" },
    },
  ];

  // The bare server answers our exact bytes (identity and gzip) at the same targets.
  const bareDocs: { target: string; body: string; gzip?: string; headers: Record<string, string> }[] = [];
  const expected = new Map<string, Captured>();
  for (const c of [...ours, ...cold, ...theirs]) {
    for (const gzip of [false, true]) {
      const got = await rawGet(c.url, { ...c.headers, ...(gzip ? { "accept-encoding": "gzip" } : {}) }, c.post);
      if (got.status !== 200) throw new Error(`${c.server} ${c.url} answered ${got.status}: ${got.body.toString("utf8").slice(0, 300)}`);
      const again = await rawGet(c.url, { ...c.headers, ...(gzip ? { "accept-encoding": "gzip" } : {}) }, c.post);
      if (!again.body.equals(got.body)) throw new Error(`${c.server} ${c.url} answers different bytes each time${gzip ? " (gzip)" : ""}`);
      expected.set(`${c.server} ${c.document} ${gzip}`, got);
    }
    if (c.server === "ours" && (c.url.includes("/users/") || c.url.includes("/.well-known/"))) {
      const identity = expected.get(`${c.server} ${c.document} false`)!;
      const zipped = expected.get(`${c.server} ${c.document} true`)!;
      const target = new URL(c.url).pathname + new URL(c.url).search;
      // One target per document: the bare server does not negotiate, so the ld+json row reuses it.
      if (!bareDocs.some((d) => d.target === target)) {
        bareDocs.push({
          target,
          body: identity.body.toString("base64"),
          gzip: zipped.headers["content-encoding"] === "gzip" ? zipped.body.toString("base64") : undefined,
          headers: { "content-type": String(identity.headers["content-type"] ?? "application/json") },
        });
      }
    }
  }
  const bare = await startChild("documents-server.ts", bareDocs, children);
  const bareBase = `http://127.0.0.1:${bare.port}`;
  const bareCases: Case[] = ours
    .filter((c) => (c.url.includes("/users/") && !c.document.includes("ld+json")) || c.url.includes("/.well-known/"))
    .map((c) => ({ ...c, server: "bare", url: c.url.replace(ourBase, bareBase) }));
  for (const c of bareCases) {
    for (const gzip of [false, true]) {
      const got = await rawGet(c.url, { ...c.headers, ...(gzip ? { "accept-encoding": "gzip" } : {}) });
      const want = expected.get(`ours ${c.document} ${gzip}`)!;
      if (got.status !== 200 || !got.body.equals(want.body)) throw new Error(`the bare server answers ${c.url} differently`);
      expected.set(`bare ${c.document} ${gzip}`, got);
    }
  }

  const rows: DocumentRow[] = [];
  for (const c of [...ours, ...bareCases, ...theirs, ...cold]) {
    for (const gzip of [false, true]) {
      const want = expected.get(`${c.server} ${c.document} ${gzip}`)!;
      const text = want.body.toString(); // autocannon joins the body chunks as text
      console.error(`bench: documents: ${c.server} ${c.document}${gzip ? " (gzip)" : ""}…`);
      const opts: Record<string, unknown> = {
        url: c.url,
        connections: options.connections,
        duration: options.duration,
        timeout: 10,
        headers: { ...c.headers, ...(gzip ? { "accept-encoding": "gzip" } : {}) },
        ...(c.post !== undefined ? { method: "POST", body: c.post } : {}),
        verifyBody: (body: string) => body === text,
      };
      if (options.warmup > 0) opts.warmup = { connections: options.connections, duration: options.warmup };
      rows.push({ document: c.document, server: c.server, gzip, result: await autocannon(opts) });
    }
  }
  for (const child of [bare.child, fedify.child]) child.kill("SIGTERM");
  return rows;
}

export function documentProblems(rows: DocumentRow[]): string[] {
  const out: string[] = [];
  for (const { document, server, gzip, result: r } of rows) {
    const name = `${server} ${document}${gzip ? " (gzip)" : ""}`;
    if (r.requests.total === 0) out.push(`${name}: no requests completed`);
    if (r.non2xx) out.push(`${name}: ${r.non2xx} non-2xx`);
    if (r.mismatches) out.push(`${name}: ${r.mismatches} bodies differ from the captured bytes`);
    if (r.errors || r.timeouts) out.push(`${name}: ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  return out;
}
