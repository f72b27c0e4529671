// Fan-out of one claim to many followers through performDeliveries: one signed request per shared
// inbox (counted by local sink servers, as the real-peer tests count), every row marked in one
// batched write, the connections to a host kept alive and reused, and the outcomes of a batch kept
// apart (a 503 is retried, a 410 is gone, the rest delivered).
import { createHash, createPublicKey } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerUser } from "@/lib/accounts";
import { readActorPublicKey } from "@/lib/crypto";
import { verifyRequestSignature } from "@/lib/http-signatures";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { performDeliveries } from ".";

interface Sink {
  base: string;
  /** Every POST received: its path and whether its signature verified with alice's key. */
  received: { path: string; verified: boolean; spec: string }[];
  connections: number;
  status: number;
  close(): Promise<void>;
}

async function startSink(keysDir: string): Promise<Sink> {
  const sink: Sink = { base: "", received: [], connections: 0, status: 202, close: async () => {} };
  const server = http.createServer((req, res) => {
    req.resume().on("end", async () => {
      const headers = new Headers(Object.entries(req.headers).map(([k, v]): [string, string] => [k, String(v)]));
      const pem = (await readActorPublicKey(keysDir, "alice"))!;
      const result = await verifyRequestSignature(
        { method: req.method ?? "POST", url: `${sink.base}${req.url}`, headers },
        { resolveKey: async () => createPublicKey(pem), hasBody: true },
      );
      sink.received.push({ path: req.url ?? "", verified: result.ok, spec: headers.has("signature-input") ? "rfc9421" : "draft-cavage" });
      res.writeHead(sink.status).end();
    });
  });
  server.on("connection", () => sink.connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  sink.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return sink;
}

const hash = (s: string) => createHash("sha3-256").update(s).digest("hex");

describe.each(databaseKinds)("fan-out on %s", (kind) => {
  let t: TestContext;
  let sinks: Sink[];
  beforeAll(async () => {
    t = await createTestContext(kind, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
    sinks = [];
    for (let i = 0; i < 4; i++) sinks.push(await startSink(t.config.keysDir));
    // 10 followers on each of the first three hosts, all behind the host's shared inbox; two on the
    // fourth host with their own inboxes only.
    await t.ctx.prisma.follower.createMany({
      data: [
        ...sinks.slice(0, 3).flatMap((s, h) =>
          Array.from({ length: 10 }, (_, i) => ({
            username: "alice",
            actor: `${s.base}/users/f${h}-${i}`,
            inbox: `${s.base}/users/f${h}-${i}/inbox`,
            sharedInbox: `${s.base}/inbox`,
          })),
        ),
        ...[0, 1].map((i) => ({ username: "alice", actor: `${sinks[3].base}/users/own${i}`, inbox: `${sinks[3].base}/users/own${i}/inbox` })),
      ],
    });
  });
  afterAll(async () => {
    await Promise.all(sinks.map((s) => s.close()));
    await t.close();
  });
  afterEach(() => {
    for (const s of sinks) {
      s.received.length = 0;
      s.connections = 0;
      s.status = 202;
    }
  });

  async function claim(name: string): Promise<{ url: string; ids: number[] }> {
    const jobs = t.sentJobs.length;
    const { activity } = await registerAsset(t.ctx, "alice", registerAssetInput.parse({ name, content_hash: hash(name), asset_type: "image" }));
    return { url: activity.id, ids: t.sentJobs.slice(jobs).map((j) => (j.data as { delivery_id: number }).delivery_id) };
  }

  it("sends one signed request per shared inbox, reads the rows once and marks them all in one write", async () => {
    const { url, ids } = await claim("fanned");
    expect(ids).toHaveLength(5);
    const transactions = vi.spyOn(t.ctx.prisma, "$transaction");
    let retry: Map<number, Error>;
    try {
      retry = await performDeliveries(t.ctx, ids, { concurrency: 3 });
      expect(transactions).toHaveBeenCalledTimes(1);
    } finally {
      transactions.mockRestore();
    }
    expect(retry.size).toBe(0);
    for (const s of sinks.slice(0, 3)) expect(s.received).toEqual([{ path: "/inbox", verified: true, spec: "rfc9421" }]);
    expect(sinks[3].received.map((r) => r.path).sort()).toEqual(["/users/own0/inbox", "/users/own1/inbox"]);
    expect(sinks[3].received.every((r) => r.verified)).toBe(true);
    const rows = await t.ctx.prisma.delivery.findMany({ where: { activityUrl: url } });
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 202, lastError: null, deliveredAt: expect.any(Date) });

    // Idempotent: delivered rows are not sent again.
    expect((await performDeliveries(t.ctx, ids)).size).toBe(0);
    expect(sinks.reduce((n, s) => n + s.received.length, 0)).toBe(5);
  });

  it("reuses a kept-alive connection for requests to the same host", async () => {
    const { ids } = await claim("kept-alive");
    await performDeliveries(t.ctx, ids, { concurrency: 1 });
    expect(sinks[3].received).toHaveLength(2);
    // The pool kept the connections opened by the previous test (or opens one): never one per request.
    expect(sinks[3].connections).toBeLessThanOrEqual(1);
  });

  it("keeps each delivery's outcome: delivered, retried on a 503, gone on a 410", async () => {
    const { url, ids } = await claim("mixed");
    sinks[1].status = 503;
    sinks[3].status = 410;
    const retry = await performDeliveries(t.ctx, ids, { concurrency: 8 });
    const rows = await t.ctx.prisma.delivery.findMany({ where: { activityUrl: url }, orderBy: { id: "asc" } });
    const byTarget = new Map(rows.map((r) => [r.target, r]));
    expect(byTarget.get(`${sinks[0].base}/inbox`)).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 202 });
    expect(byTarget.get(`${sinks[2].base}/inbox`)).toMatchObject({ state: "delivered", attempts: 1, lastStatus: 202 });
    const failing = byTarget.get(`${sinks[1].base}/inbox`)!;
    expect(failing).toMatchObject({ state: "pending", attempts: 1, lastStatus: 503, lastError: "HTTP 503" });
    expect([...retry.keys()]).toEqual([failing.id]);
    expect(retry.get(failing.id)!.message).toContain("HTTP 503");
    for (const own of [0, 1]) expect(byTarget.get(`${sinks[3].base}/users/own${own}/inbox`)).toMatchObject({ state: "gone", lastStatus: 410 });
    // Followers whose own inbox is gone are removed; those behind a failing shared inbox stay.
    expect(await t.ctx.prisma.follower.count({ where: { inbox: { startsWith: sinks[3].base } } })).toBe(0);
    expect(await t.ctx.prisma.follower.count({ where: { sharedInbox: `${sinks[1].base}/inbox` } })).toBe(10);
  });
});
