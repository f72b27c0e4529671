// POST /auth/verify on two replicas of the built app sharing one PostgreSQL database (#20 item 6):
// a positive answer is held in memory by the replica that gave it (answered by the front door,
// `x-artdag-cache: hit`), and a revocation through the other replica — logout, detach — makes it
// refuse the token on its very next call. Repeated, so a race between the purge notification and the
// next call would show; nothing here waits or retries between the revocation and the check.
import { randomBytes } from "node:crypto";
import { query } from "./support/pg-instance";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, json, login, register, uniqueUsername } from "./support/api";
import { NO_RATE_LIMITS, VERIFIED_A, VERIFIED_B, type ServerSpec } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

const adminUrl = process.env.TEST_DATABASE_URL?.trim() || "postgresql://postgres@127.0.0.1:5432/postgres";
const database = `artdag_e2e_verify_${randomBytes(6).toString("hex")}`;
/** The L1 both list; nothing listens there (attaching never calls it, revocation notices are queued). */
const L1 = "http://localhost:8399";
const ROUNDS = 20;
const INACTIVE = { valid: false, active: false };

/** One renderer login check, as an L1 makes it. */
async function verify(server: ServerSpec, token: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const res = await fetch(`${server.url}/auth/verify`, { method: "POST", headers: json, body: JSON.stringify({ token, l1_server: L1 }) });
  return { status: res.status, body: await res.json(), cache: res.headers.get("x-artdag-cache") };
}

/** Attaches through `server` and returns the renderer token the L1 would receive. */
async function attach(server: ServerSpec, accessToken: string): Promise<string> {
  const res = await fetch(`${server.url}/renderers/attach`, {
    method: "POST",
    redirect: "manual",
    headers: { ...json, ...bearer(accessToken) },
    body: JSON.stringify({ l1_server: L1 }),
  });
  expect(res.status, await res.text()).toBe(303);
  const token = new URL(res.headers.get("location") ?? "http://x/").searchParams.get("auth_token");
  expect(token).toBeTruthy();
  return token!;
}

/** Verifies on `server` until its answer is held (the first asks the database, the second is a hit). */
async function warm(server: ServerSpec, token: string, username: string): Promise<void> {
  const first = await verify(server, token);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ valid: true, active: true, username, l1_server: L1 });
  const second = await verify(server, token);
  expect(second).toEqual({ ...first, cache: "hit" });
}

test.describe("POST /auth/verify across two replicas on one PostgreSQL", () => {
  test.describe.configure({ mode: "serial" });
  let a: SpawnedServer | undefined;
  let b: SpawnedServer | undefined;
  let request: APIRequestContext;
  let username: string;

  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(180_000);
    await query(adminUrl, `CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    wipeDataDir(VERIFIED_A);
    // Both answer for A's public host (the tokens' issuer) and share its data folder (the JWT secret).
    const env = { DATABASE_URL: url.toString(), ARTDAG_DOMAIN: `localhost:${VERIFIED_A.port}`, L1_SERVERS: L1, ...NO_RATE_LIMITS };
    a = await startServer(VERIFIED_A, env);
    b = await startServer(VERIFIED_B, env);
    request = await playwright.request.newContext({ baseURL: VERIFIED_A.url });
    username = uniqueUsername("verified");
    await register(request, username);
  });

  test.afterAll(async () => {
    await request?.dispose();
    await a?.stop();
    await b?.stop();
    await query(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  test(`logout through A: B refuses the renderer token it held on the very next call (${ROUNDS} rounds)`, async () => {
    test.setTimeout(180_000);
    for (let round = 0; round < ROUNDS; round++) {
      const session = (await login(request, username)).access_token;
      const token = await attach(VERIFIED_A, session);
      await warm(VERIFIED_B, token, username);
      const out = await fetch(`${VERIFIED_A.url}/auth/logout`, { method: "POST", headers: bearer(session) });
      expect(out.status).toBe(200);
      expect(await out.json()).toEqual({ revoked: true });
      const after = await verify(VERIFIED_B, token);
      expect(after, `round ${round}: B still accepted a token revoked through A`).toEqual({ status: 401, body: INACTIVE, cache: null });
      expect((await verify(VERIFIED_A, token)).status).toBe(401);
    }
  });

  test(`detach through B: A refuses the renderer token it held on the very next call (${ROUNDS} rounds)`, async () => {
    test.setTimeout(180_000);
    const session = (await login(request, username)).access_token;
    for (let round = 0; round < ROUNDS; round++) {
      const token = await attach(VERIFIED_B, session);
      await warm(VERIFIED_A, token, username);
      const detached = await fetch(`${VERIFIED_B.url}/renderers/detach`, {
        method: "POST",
        headers: { ...json, ...bearer(session) },
        body: JSON.stringify({ l1_server: L1 }),
      });
      expect(detached.status).toBe(200);
      expect(await detached.json()).toEqual({ l1_server: L1, attached: false, attached_at: null });
      const after = await verify(VERIFIED_A, token);
      expect(after, `round ${round}: A still accepted a token revoked through B`).toEqual({ status: 401, body: INACTIVE, cache: null });
      expect((await verify(VERIFIED_B, token)).status).toBe(401);
    }
    // The session itself was never revoked: a new attachment verifies on both.
    const token = await attach(VERIFIED_A, session);
    expect((await verify(VERIFIED_A, token)).status).toBe(200);
    expect((await verify(VERIFIED_B, token)).status).toBe(200);
  });

  test("an answer is held only for the L1 it was given to, and a refusal is never held", async () => {
    const session = (await login(request, username)).access_token;
    const token = await attach(VERIFIED_A, session);
    await warm(VERIFIED_B, token, username);
    // Another (unlisted) L1 presenting it: the route answers, as before.
    const other = await fetch(`${VERIFIED_B.url}/auth/verify`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token, l1_server: "http://localhost:8398" }),
    });
    expect(other.status).toBe(403);
    expect(other.headers.get("x-artdag-cache")).toBeNull();
    const garbage = `${token}x`;
    for (let i = 0; i < 2; i++) expect(await verify(VERIFIED_B, garbage)).toEqual({ status: 401, body: INACTIVE, cache: null });
  });
});
