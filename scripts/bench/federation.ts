// Part of `npm run bench`: federation costs in process, no server of ours (so it is fast and
// deterministic). Run as a child process of scripts/bench.ts (options over IPC, one result back),
// so its PGlite lives and dies in its own process; run directly
// (`npx tsx scripts/bench/federation.ts [inbox-count]`) it prints the result as JSON.
//
// 1. Verified inbox POSTs per second: a test context (fresh PGlite, FEDERATION_ALLOW_PRIVATE_ADDRESSES),
//    a local user `alice`, and a tiny node:http "remote actor" on 127.0.0.1 serving an actor document
//    with an RSA-2048 public key. N distinct `Like` activities (unique ids: accepted and ignored, so each
//    is a full digest check + signature verification + cached key lookup + de-duplication INSERT) are
//    signed beforehand with signRequest, then receiveActivity(ctx, …, "alice") is timed for each, one
//    at a time — once with draft-cavage, once with RFC 9421. The first call fetches and caches the key;
//    a warm-up runs before each measured round.
// 2. Fan-out: 1 000 followers of alice over 100 local sink servers (100 ports, 10 followers each, all
//    with sharedInbox http://127.0.0.1:PORT/inbox, so one request per shared inbox = 100 requests).
//    (a) followerInboxes + enqueueDeliveries for one Create in a transaction, then performDeliveries of
//        every created row (`concurrency` at a time: one read of the rows, one signature per shared
//        inbox, one batched write of the outcomes), as the delivery worker runs a batch of jobs;
//    (b) beside it, merely signing (signRequest rfc9421, key parsed once) and sending (fetch POST) the
//        same 100 requests to the sinks, with the same pool.
//    A warm-up round of each first (connections, key file, JIT), then `rounds` measured rounds each,
//    interleaved; the median of each column is reported.
import { createPrivateKey, generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { registerUser } from "../../lib/accounts";
import { readActorPrivateKey } from "../../lib/crypto";
import { enqueueDeliveries, followerInboxes, performDeliveries } from "../../lib/federation/delivery";
import { receiveActivity } from "../../lib/federation/inbox";
import { signRequest } from "../../lib/http-signatures";
import { createTestContext, type TestContext } from "../../lib/testing";

export interface FederationOptions {
  /** Measured inbox POSTs per signature scheme. */
  inboxCount: number;
  followers: number;
  hosts: number;
  concurrency: number;
  rounds: number;
}

export interface InboxRow {
  spec: "draft-cavage" | "rfc9421";
  count: number;
  elapsedMs: number;
  perSecond: number;
  usPerOp: number;
  cpuUsPerOp: number;
}

export interface FanoutRound {
  enqueueMs: number;
  deliverMs: number;
  totalMs: number;
  baselineMs: number;
}

export interface FederationResult {
  database: string;
  inbox: InboxRow[];
  /** Key fetches seen by the remote actor server (1 expected: the rest come from the cache). */
  actorFetches: number;
  followers: number;
  hosts: number;
  deliveries: number;
  concurrency: number;
  bodyBytes: number;
  rounds: FanoutRound[];
  median: FanoutRound;
}

const USER = "alice";
const INBOX_WARMUP = 30;

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` at once. */
async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

async function measureInbox(t: TestContext, actorBase: string, privateKey: ReturnType<typeof createPrivateKey>, count: number): Promise<InboxRow[]> {
  const actor = `${actorBase}/actor`;
  const keyId = `${actor}#main-key`;
  const inboxUrl = `${t.config.baseUrl}/users/${USER}/inbox`;
  const object = `${t.config.baseUrl}/users/${USER}`;
  const rows: InboxRow[] = [];
  for (const spec of ["draft-cavage", "rfc9421"] as const) {
    // Signed beforehand: only the receiving side is timed.
    const requests = Array.from({ length: INBOX_WARMUP + count }, () => {
      const body = JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${actor}/likes/${randomUUID()}`,
        type: "Like",
        actor,
        object,
      });
      const headers = signRequest(
        { method: "POST", url: inboxUrl, headers: new Headers({ "content-type": "application/activity+json" }), body },
        { privateKey, keyId, spec },
      );
      return { method: "POST", url: inboxUrl, headers, body: new TextEncoder().encode(body) };
    });
    const run = async (i: number) => {
      const outcome = await receiveActivity(t.ctx, requests[i], USER);
      if (outcome.result !== "ignored") throw new Error(`${spec}: Like ${i} came back ${JSON.stringify(outcome)}`);
    };
    for (let i = 0; i < INBOX_WARMUP; i++) await run(i);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    for (let i = INBOX_WARMUP; i < requests.length; i++) await run(i);
    const elapsedMs = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    rows.push({
      spec,
      count,
      elapsedMs,
      perSecond: (count * 1000) / elapsedMs,
      usPerOp: (elapsedMs * 1000) / count,
      cpuUsPerOp: (cpu.user + cpu.system) / count,
    });
    console.error(`federation: inbox ${spec}: ${count} verified Likes in ${elapsedMs.toFixed(0)} ms`);
  }
  return rows;
}

export async function runFederation(opts: FederationOptions): Promise<FederationResult> {
  const t = await createTestContext("pglite", { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
  const servers: http.Server[] = [];
  try {
    await registerUser(t.ctx, { username: USER, password: "password alice" }, { client: null });

    // The remote actor.
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    let actorFetches = 0;
    let actorBase = "";
    const actorServer = http.createServer((req, res) => {
      req.resume();
      if (req.url !== "/actor") return void res.writeHead(404).end();
      actorFetches++;
      const id = `${actorBase}/actor`;
      res.writeHead(200, { "content-type": "application/activity+json" }).end(
        JSON.stringify({
          "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
          id,
          type: "Person",
          preferredUsername: "remote",
          inbox: `${id}/inbox`,
          publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
        }),
      );
    });
    servers.push(actorServer);
    actorBase = `http://127.0.0.1:${await listen(actorServer)}`;
    const inbox = await measureInbox(t, actorBase, privateKey, opts.inboxCount);

    // The sinks: one server per "host", every POST answered 202 once its body is read.
    let received = 0;
    const sinkPorts: number[] = [];
    for (let h = 0; h < opts.hosts; h++) {
      const sink = http.createServer((req, res) => {
        req
          .on("data", () => {})
          .on("end", () => {
            received++;
            res.writeHead(202).end();
          });
      });
      servers.push(sink);
      sinkPorts.push(await listen(sink));
    }
    const perHost = Math.ceil(opts.followers / opts.hosts);
    await t.ctx.prisma.follower.createMany({
      data: Array.from({ length: opts.followers }, (_, i) => {
        const base = `http://127.0.0.1:${sinkPorts[Math.floor(i / perHost)]}`;
        return { username: USER, actor: `${base}/users/f${i}`, inbox: `${base}/users/f${i}/inbox`, sharedInbox: `${base}/inbox` };
      }),
    });
    const targets = await followerInboxes(t.ctx.prisma, USER);
    if (targets.length !== opts.hosts) throw new Error(`followerInboxes gave ${targets.length} inboxes, expected ${opts.hosts}`);

    const actorUrl = `${t.config.baseUrl}/users/${USER}`;
    const createBody = (n: number) =>
      JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${t.config.baseUrl}/activities/${randomUUID()}`,
        type: "Create",
        actor: actorUrl,
        published: t.ctx.now().toISOString(),
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        cc: [`${actorUrl}/followers`],
        object: {
          id: `${t.config.baseUrl}/assets/bench-${n}`,
          type: "Image",
          name: `bench-${n}`,
          attributedTo: actorUrl,
          content: "a".repeat(400),
        },
      });
    const bodyBytes = Buffer.byteLength(createBody(0));

    // (a) enqueue + performDeliveries of every row.
    const fanout = async (n: number) => {
      const body = createBody(n);
      const url = JSON.parse(body).id as string;
      const jobs0 = t.sentJobs.length;
      const received0 = received;
      const start = performance.now();
      const created = await t.ctx.prisma.$transaction(async (tx) => enqueueDeliveries(t.ctx, tx, { url, actor: USER, body }, await followerInboxes(tx, USER)));
      const enqueued = performance.now();
      const ids = t.sentJobs.slice(jobs0).map((j) => (j.data as { delivery_id: number }).delivery_id);
      if (created !== opts.hosts || ids.length !== opts.hosts) throw new Error(`enqueueDeliveries created ${created} rows, ${ids.length} jobs`);
      const retry = await performDeliveries(t.ctx, ids, { concurrency: opts.concurrency });
      if (retry.size > 0) throw new Error(`${retry.size} deliveries to retry: ${[...retry.values()][0].message}`);
      const done = performance.now();
      const delivered = await t.ctx.prisma.delivery.count({ where: { activityUrl: url, state: "delivered" } });
      if (delivered !== opts.hosts) throw new Error(`${delivered} of ${opts.hosts} deliveries delivered`);
      if (received - received0 !== opts.hosts) throw new Error(`the sinks received ${received - received0} POSTs, expected ${opts.hosts}`);
      return { enqueueMs: enqueued - start, deliverMs: done - enqueued, totalMs: done - start };
    };
    // (b) sign + send only.
    const pem = await readActorPrivateKey(t.config.keysDir, USER);
    if (!pem) throw new Error("alice has no private key");
    const aliceKey = createPrivateKey(pem);
    const keyId = `${actorUrl}#main-key`;
    const baseline = async (n: number) => {
      const body = createBody(n);
      const received0 = received;
      const start = performance.now();
      await pool(targets.length, opts.concurrency, async (i) => {
        const headers = signRequest(
          { method: "POST", url: targets[i], headers: new Headers({ "content-type": "application/activity+json", accept: "application/activity+json" }), body },
          { privateKey: aliceKey, keyId, spec: "rfc9421" },
        );
        const res = await fetch(targets[i], { method: "POST", headers, body });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`${targets[i]} answered ${res.status}`);
      });
      const ms = performance.now() - start;
      if (received - received0 !== opts.hosts) throw new Error(`the sinks received ${received - received0} POSTs, expected ${opts.hosts}`);
      return ms;
    };

    console.error(`federation: fan-out to ${opts.followers} followers over ${opts.hosts} shared inboxes, warm-up + ${opts.rounds} rounds…`);
    await fanout(0);
    await baseline(0);
    const rounds: FanoutRound[] = [];
    for (let r = 1; r <= opts.rounds; r++) {
      // Alternate the order so neither always runs on the other's leftovers.
      let a: Awaited<ReturnType<typeof fanout>>;
      let b: number;
      if (r % 2) {
        a = await fanout(r);
        b = await baseline(r);
      } else {
        b = await baseline(r);
        a = await fanout(r);
      }
      rounds.push({ ...a, baselineMs: b });
    }
    const med = (k: keyof FanoutRound) => rounds.map((x) => x[k]).sort((x, y) => x - y)[Math.floor(rounds.length / 2)];
    const median: FanoutRound = { enqueueMs: med("enqueueMs"), deliverMs: med("deliverMs"), totalMs: med("totalMs"), baselineMs: med("baselineMs") };

    return {
      database: "PGlite, fresh and migrated, in memory (createTestContext)",
      inbox,
      actorFetches,
      followers: opts.followers,
      hosts: opts.hosts,
      deliveries: opts.hosts,
      concurrency: opts.concurrency,
      bodyBytes,
      rounds,
      median,
    };
  } finally {
    await Promise.all(servers.map(closeServer));
    await t.close();
  }
}

async function reply(message: { ok: true; result: FederationResult } | { ok: false; error: string }, code: number) {
  if (process.send) await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  else console.log(JSON.stringify(message, null, 2));
  process.exit(code);
}

async function main(opts: FederationOptions) {
  try {
    await reply({ ok: true, result: await runFederation(opts) }, 0);
  } catch (err) {
    await reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 1);
  }
}

if (process.send) process.once("message", (opts: FederationOptions) => void main(opts));
else void main({ inboxCount: Number(process.argv[2] ?? 500), followers: 1000, hosts: 100, concurrency: 8, rounds: 5 });
