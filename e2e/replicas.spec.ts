// Two app processes on one PostgreSQL database behave as one server (issue #13 item 4). REPLICA_A
// and REPLICA_B share the database and the data folder (ARTDAG_DATA: the actors' key files), answer
// for A's public host, and both run the job workers; the clients in front alternate between them.
// Runs when TEST_DATABASE_URL names a PostgreSQL server whose role may CREATE DATABASE (a fresh one
// is made beside it for the run and dropped after); skipped otherwise.
//
// What each test proves (docs/architecture.md "Replicas" lists the process memory that remains):
// - revocation: a token logged out through one replica is refused by the other on the very next
//   request, ten times over, alternating which replica revokes (revoked_tokens is in PostgreSQL).
// - replay: a Moo-Auth-1 request accepted by A, sent byte for byte to B, is refused as a replay,
//   while a fresh signature for the same request is accepted by B (moo_auth_seen is in PostgreSQL).
// - rate limits: logins alternating A, B, A, B… are refused once the one budget (RATE_LIMIT_LOGIN
//   = 4 per hour here) is spent, on both replicas: not after 4 on each (rate_limit_buckets).
// - jobs: a follower whose inbox is a sink in this test process gets each Accept and each Create
//   exactly once although both replicas run delivery workers, and each delivery ends `delivered`
//   after one attempt with no job of the queue left to run (pg-boss hands a job to one worker).
// - anchors: "anchor now" asked of A and B at the same moment makes one batch holding every waiting
//   activity once (201 from one, 200 "nothing to anchor" from the other; the batcher's lock).
// - keys: a user registered through A has one key pair: B's actor document shows A's
//   publicKeyPem and Multikey, and an activity created through B verifies with A's publicKeyPem.
// - caches: B's response cache serves a user's did:key WebFinger answer from memory; once the key
//   is removed through A, B's copy is purged (LISTEN/NOTIFY) and B answers 404 (bounded wait; the
//   bound for a lost notification is PUBLIC_CACHE_SECONDS, set far above the wait here), and a
//   request signed with that key is refused by B at once (client keys are read from PostgreSQL on
//   every request, never cached). response-cache.spec.ts proves the same purge for the actor,
//   outbox, profile and NodeInfo documents; it is not repeated here.
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import { query } from "./support/pg-instance";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { verifyActivitySignature } from "../lib/crypto/artdag-signature";
import { bearer, expectError, json, login, me, postLogin, register, uniqueUsername, PASSWORD } from "./support/api";
import { mooAuthHeaders, newClientKey, rawRequest } from "./support/moo-auth";
import { createAsset, newUser } from "./support/registry";
import { MAIN_OTS, REPLICA_A, REPLICA_B } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

const adminUrl = process.env.TEST_DATABASE_URL?.trim() || null;
const AS = "https://www.w3.org/ns/activitystreams";
const AP = { accept: "application/activity+json" };
/** The public host both replicas answer for (and sign Moo-Auth-1 and HTTP signatures against). */
const HOST = `localhost:${REPLICA_A.port}`;
/** The login budget of the pair: 4 per hour, so the test cannot see a window end. */
const LOGIN_BUDGET = 4;
/** Long enough that nothing in this spec can pass by a cached copy merely expiring. */
const PUBLIC_CACHE_SECONDS = 600;
/** How long an eventual thing (a delivery, a purge notification) may take before the test fails. */
const EVENTUALLY_MS = 20_000;

async function until<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + EVENTUALLY_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${EVENTUALLY_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Received {
  path: string;
  body: { id?: string; type?: string; object?: unknown };
}

/**
 * A remote actor in this process: serves its Person document (with its RSA key) and takes every POST
 * to its inbox (202), keeping each body: the sink where deliveries are counted.
 */
async function startRemoteActor(): Promise<{ id: string; received: Received[]; sign(req: Request): Promise<Request>; close(): Promise<void> }> {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", keys.publicKey)).toString("base64");
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
  const received: Received[] = [];
  let id = "";
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://sink").pathname;
      if (req.method === "POST") {
        received.push({ path, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Received["body"] });
        return void res.writeHead(202).end();
      }
      if (path === "/users/fan") {
        const person = {
          "@context": [AS, "https://w3id.org/security/v1"],
          id,
          type: "Person",
          inbox: `${id}/inbox`,
          publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: pem },
        };
        return void res.writeHead(200, { "content-type": "application/activity+json" }).end(JSON.stringify(person));
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  id = `http://127.0.0.1:${(server.address() as AddressInfo).port}/users/fan`;
  return {
    id,
    received,
    sign: (req) => signRequest(req, keys.privateKey, new URL(`${id}#main-key`), { spec: "draft-cavage-http-signatures-12" }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test.describe("two replicas on one PostgreSQL behave as one server", () => {
  test.skip(!adminUrl, "TEST_DATABASE_URL is not set: no PostgreSQL server to run two replicas on");
  test.describe.configure({ mode: "serial" });

  let database = "";
  let a: SpawnedServer | undefined;
  let b: SpawnedServer | undefined;
  let reqA: APIRequestContext;
  let reqB: APIRequestContext;
  /** The two replicas, alternated by index: pair(0) is A, pair(1) is B, pair(2) is A… */
  const pair = (i: number) => (i % 2 === 0 ? { name: "A", request: reqA, url: REPLICA_A.url } : { name: "B", request: reqB, url: REPLICA_B.url });

  function databaseUrl(): string {
    const url = new URL(adminUrl!);
    url.pathname = `/${database}`;
    return url.toString();
  }

  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(180_000);
    // Named after the database TEST_DATABASE_URL names, so a run stays among that user's databases.
    const base =
      new URL(adminUrl!).pathname
        .slice(1)
        .toLowerCase()
        .replace(/[^a-z0-9_]/g, "_")
        .slice(0, 32) || "artdag";
    database = `${base}_replicas_${randomBytes(6).toString("hex")}`;
    await query(adminUrl!, `CREATE DATABASE ${database}`);
    wipeDataDir(REPLICA_A);
    const env = {
      DATABASE_URL: databaseUrl(),
      ARTDAG_DOMAIN: HOST,
      PUBLIC_CACHE_SECONDS: String(PUBLIC_CACHE_SECONDS),
      RATE_LIMIT_LOGIN: `${LOGIN_BUDGET}/3600`,
      RATE_LIMIT_REGISTER: "100000/60",
      RATE_LIMIT_ANCHOR: "100000/60",
      // The sink is on loopback.
      FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true",
      // The suite's stub calendars (playwright.config.ts), so an anchor really is made.
      ...MAIN_OTS,
    };
    // The second starts once the first has migrated the database.
    a = await startServer(REPLICA_A, env);
    b = await startServer(REPLICA_B, env);
    reqA = await playwright.request.newContext({ baseURL: REPLICA_A.url });
    reqB = await playwright.request.newContext({ baseURL: REPLICA_B.url });
  });

  test.afterAll(async () => {
    await reqA?.dispose();
    await reqB?.dispose();
    const exits = [await a?.stop(), await b?.stop()];
    if (adminUrl && database) await query(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const exit of exits) if (exit) expect(exit, "each replica stops cleanly").toEqual({ code: 0, signal: null });
  });

  test("a token logged out through one replica is refused by the other on the very next request", async () => {
    for (let i = 0; i < 10; i++) {
      const [through, other] = [pair(i), pair(i + 1)];
      const username = uniqueUsername(`revoke${i}`);
      const { access_token } = await register(through.request, username);
      const before = await me(other.request, access_token);
      expect(before.status(), `${other.name} accepts the token ${through.name} issued`).toBe(200);
      expect(((await before.json()) as { username: string }).username).toBe(username);

      const out = await through.request.post("/auth/logout", { headers: bearer(access_token) });
      expect(out.status(), `logout through ${through.name}`).toBe(200);
      await expectError(await me(other.request, access_token), 401, "unauthorized");
      await expectError(await me(through.request, access_token), 401, "unauthorized");
    }
  });

  test("a Moo-Auth-1 request accepted by A and replayed byte for byte on B is refused as a replay", async () => {
    const user = await register(reqA, uniqueUsername("replay"));
    const key = newClientKey();
    const added = await reqA.post("/auth/client-keys", { headers: { ...bearer(user.access_token), ...json }, data: { did_key: key.did } });
    expect(added.status(), await added.text()).toBe(201);

    // Signed for the public host both answer for, sent with exactly that Host to each.
    const signedHeaders = mooAuthHeaders(key, "GET", `http://${HOST}/auth/me`);
    const headers = { ...signedHeaders, host: HOST };
    const first = await rawRequest("GET", `${REPLICA_A.url}/auth/me`, headers);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({ username: user.username });

    const replayed = await rawRequest("GET", `${REPLICA_B.url}/auth/me`, headers);
    expect(replayed.status).toBe(401);
    expect(replayed.json).toMatchObject({ error: "unauthorized" });
    expect(String(replayed.json.message)).toMatch(/already used \(a replay\)/);

    // The refusal is the replay, not B: a new signature of the same request is B's to accept. (A
    // one-second Date: wait for the next second, or the signature would be the very same bytes.)
    const signedAt = Date.parse(signedHeaders.date);
    await until("the next second", async () => Date.now() >= signedAt + 1000);
    const fresh = await rawRequest("GET", `${REPLICA_B.url}/auth/me`, { ...mooAuthHeaders(key, "GET", `http://${HOST}/auth/me`), host: HOST });
    expect(fresh.status, JSON.stringify(fresh.json)).toBe(200);
    expect(fresh.json).toMatchObject({ username: user.username });
  });

  test("logins alternating A, B, A… share one budget: refused on both once it is spent, not after a budget each", async () => {
    const username = uniqueUsername("budget");
    await register(reqB, username);
    for (let i = 0; i < LOGIN_BUDGET; i++) await login(pair(i).request, username);
    for (let i = LOGIN_BUDGET; i < LOGIN_BUDGET + 4; i++) {
      const refused = await postLogin(pair(i).request, { username, password: PASSWORD });
      await expectError(refused, 429, "rate_limited");
      expect(Number(refused.headers()["retry-after"]), `${pair(i).name}'s Retry-After`).toBeGreaterThanOrEqual(1);
    }
    // The budget counted every login of the pair, in PostgreSQL.
    const buckets = await query<{ count: number }>(databaseUrl(), "SELECT count FROM rate_limit_buckets WHERE key LIKE 'login:%'");
    expect(buckets).toEqual([{ count: LOGIN_BUDGET + 4 }]);
  });

  test("with workers on both replicas, each delivery to a follower's inbox is made exactly once", async () => {
    test.setTimeout(120_000);
    const fan = await startRemoteActor();
    try {
      const user = await newUser(reqA, "followed");
      const actor = `http://${HOST}/users/${user.username}`;

      // The fan follows the user through A's inbox (signed for the public host).
      const follow = { "@context": AS, id: `${fan.id}/follows/${randomUUID()}`, type: "Follow", actor: fan.id, object: actor };
      const inbox = `${REPLICA_A.url}/users/${user.username}/inbox`;
      const body = JSON.stringify(follow);
      const signed = await fan.sign(new Request(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body }));
      const followed = await fetch(inbox, { method: "POST", headers: signed.headers, body });
      expect(followed.status, await followed.clone().text()).toBe(202);
      expect(await followed.json()).toEqual({ result: "followed", follower: fan.id, username: user.username });
      const followers = await reqB.get(`/users/${user.username}/followers?page=true`, { headers: AP });
      expect(((await followers.json()) as { orderedItems: string[] }).orderedItems).toEqual([fan.id]);

      // Six Creates, written alternately through A and B; either replica's worker may take each job.
      const created: string[] = [];
      for (let i = 0; i < 6; i++) created.push(String((await createAsset(pair(i).request, user)).activity.id));

      for (const [i, id] of created.entries()) {
        const ref = id.split("/").pop()!;
        const deliveries = await until(`the delivery of ${id}`, async () => {
          const res = await pair(i + 1).request.get(`/activities/${ref}/deliveries`);
          expect(res.status()).toBe(200);
          const list = ((await res.json()) as { deliveries: { target: string; state: string; attempts: number }[] }).deliveries;
          return list.every((d) => d.state !== "pending") && list.length > 0 && list;
        });
        expect(deliveries).toEqual([expect.objectContaining({ target: `${fan.id}/inbox`, state: "delivered", attempts: 1 })]);
      }
      // No job of the queue is left to run (a second copy of a job would still be here).
      await until("the delivery queue to be empty", async () => {
        const rows = await query<{ n: number }>(
          databaseUrl(),
          "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'deliver' AND state IN ('created', 'retry', 'active')",
        );
        return rows[0].n === 0;
      });

      const creates = fan.received.filter((r) => r.body.type === "Create").map((r) => r.body.id);
      expect(creates.sort()).toEqual([...created].sort());
      const accepts = fan.received.filter((r) => r.body.type === "Accept");
      expect(accepts.length, "the Follow was accepted once").toBe(1);
      expect(accepts[0].body.object).toMatchObject({ id: follow.id });
      expect(fan.received.every((r) => r.path === "/users/fan/inbox")).toBe(true);
    } finally {
      await fan.close();
    }
  });

  test("anchoring asked of both replicas at once makes one batch, each waiting activity in it once", async () => {
    const user = await newUser(reqB, "anchorer");
    for (let i = 0; i < 4; i++) await createAsset(pair(i).request, user);
    const list = async () => {
      const res = await reqA.get("/anchors", { headers: { accept: "application/json" } });
      expect(res.status()).toBe(200);
      return (await res.json()) as { items: { activity_count: number }[]; unanchored: number };
    };
    const before = await list();
    expect(before.items).toEqual([]);
    expect(before.unanchored).toBeGreaterThanOrEqual(4);

    const answers = await Promise.all([reqA, reqB].map((r) => r.post("/anchors", { headers: { accept: "application/json", ...bearer(user.token) } })));
    const made = answers.filter((r) => r.status() === 201);
    const nothing = answers.filter((r) => r.status() === 200);
    expect([made.length, nothing.length], await Promise.all(answers.map((r) => r.text())).then(String)).toEqual([1, 1]);
    expect(((await made[0].json()) as { anchor: { activity_count: number } }).anchor.activity_count).toBe(before.unanchored);
    expect(await nothing[0].json()).toMatchObject({ anchor: null });

    const after = await list();
    expect(after.items.map((a) => a.activity_count)).toEqual([before.unanchored]);
    expect(after.unanchored).toBe(0);
  });

  test("a user registered through A has one key pair: B's actor shows A's keys and B's activities verify with them", async () => {
    const user = await newUser(reqA, "keys");
    type Person = { publicKey: { id: string; publicKeyPem: string }; assertionMethod: { publicKeyMultibase: string }[] };
    const actorOn = async (request: APIRequestContext) => {
      const res = await request.get(`/users/${user.username}`, { headers: AP });
      expect(res.status()).toBe(200);
      return (await res.json()) as Person;
    };
    const [onA, onB] = [await actorOn(reqA), await actorOn(reqB)];
    expect(onB.publicKey).toEqual(onA.publicKey);
    expect(onB.publicKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(onB.assertionMethod).toEqual(onA.assertionMethod);
    expect(onA.assertionMethod).toHaveLength(1);

    const { activity } = await createAsset(reqB, user);
    expect(activity.signature.creator).toBe(onA.publicKey.id);
    expect(verifyActivitySignature(activity, onA.publicKey.publicKeyPem, { expectedCreator: onA.publicKey.id })).toEqual({ ok: true });
    // And as A serves it back.
    const served = await reqA.get(`/activities/${String(activity.id).split("/").pop()}`, { headers: AP });
    expect(verifyActivitySignature(await served.json(), onA.publicKey.publicKeyPem)).toEqual({ ok: true });
  });

  test("a client key removed through A: B's cached WebFinger answer for it is purged, and B refuses the key at once", async () => {
    const grant = await register(reqA, uniqueUsername("rotated"));
    const key = newClientKey();
    const added = await reqA.post("/auth/client-keys", { headers: { ...bearer(grant.access_token), ...json }, data: { did_key: key.did } });
    expect(added.status()).toBe(201);

    const lookup = () => reqB.get(`/.well-known/webfinger?resource=${encodeURIComponent(key.did)}`);
    const first = await lookup();
    expect(first.status(), await first.text()).toBe(200);
    expect(((await first.json()) as { subject: string }).subject).toBe(`acct:${grant.username}@${HOST}`);
    const cached = await lookup();
    expect(cached.headers()["x-artdag-cache"], "B answers it from memory").toBe("hit");
    const signedOk = await rawRequest("GET", `${REPLICA_B.url}/auth/me`, { ...mooAuthHeaders(key, "GET", `http://${HOST}/auth/me`), host: HOST });
    expect(signedOk.status).toBe(200);

    const removed = await reqA.delete(`/auth/client-keys/${encodeURIComponent(key.did)}`, { headers: bearer(grant.access_token) });
    expect(removed.status()).toBe(204);
    // The key itself is refused by B on the very next request.
    const refused = await rawRequest("GET", `${REPLICA_B.url}/auth/me`, { ...mooAuthHeaders(key, "GET", `http://${HOST}/auth/me`), host: HOST });
    expect(refused.status).toBe(401);
    expect(String(refused.json.message)).toMatch(/not a registered client key/);
    // B's copy of the WebFinger answer goes with A's purge notification, long before max-age.
    const gone = await until("B to drop its cached WebFinger answer", async () => {
      const res = await lookup();
      return res.status() === 404 && res;
    });
    await expectError(gone, 404, "not_found");
    expect(gone.headers()["x-artdag-cache"]).toBe("miss");
  });
});
