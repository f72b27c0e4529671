import { createPublicKey } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { readActorPublicKey } from "@/lib/crypto";
import { checkBodyDigest, verifyRequestSignature } from "@/lib/http-signatures";
import { createTestContext, type TestContext } from "@/lib/testing";
import { enableMetrics, renderMetrics } from "@/lib/metrics";
import { enqueueDeliveries, followerInboxes, listDeliveries, MAX_DELIVERY_ATTEMPTS, performDelivery } from ".";

/** An inbox that verifies our signatures and answers what the test says, per spec. */
function startInbox(answer: (spec: "rfc9421" | "draft-cavage") => number) {
  const seen: { spec: string; verified: boolean; digest: boolean }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req
      .on("data", (c: Buffer) => chunks.push(c))
      .on("end", async () => {
        const headers = new Headers(Object.entries(req.headers).map(([k, v]): [string, string] => [k, String(v)]));
        const spec = headers.has("signature-input") ? "rfc9421" : "draft-cavage";
        const pem = (await readActorPublicKey(keysDir, "alice"))!;
        const result = await verifyRequestSignature(
          { method: req.method ?? "POST", url: `http://127.0.0.1:${port}${req.url}`, headers },
          { resolveKey: async () => createPublicKey(pem), hasBody: true },
        );
        seen.push({ spec, verified: result.ok, digest: checkBodyDigest(headers, Buffer.concat(chunks)).ok });
        res.writeHead(answer(spec)).end();
      });
  });
  let port = 0;
  let keysDir = "";
  return {
    seen,
    async start(dir: string) {
      keysDir = dir;
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as { port: number }).port;
      return `http://127.0.0.1:${port}/inbox`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("performDelivery", () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext("pglite", { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
  });
  afterAll(() => t.close());

  async function deliver(target: string, body = '{"id":"https://l2.test/a/1","type":"Create"}') {
    const url = `https://l2.test/activities/${Math.random()}`;
    await t.ctx.prisma.$transaction((tx) => enqueueDeliveries(t.ctx, tx, { url, actor: "alice", body }, [target]));
    const row = await t.ctx.prisma.delivery.findFirstOrThrow({ where: { activityUrl: url } });
    return { url, id: row.id };
  }

  it("signs with RFC 9421 first and records a 2xx as delivered", async () => {
    const inbox = startInbox(() => 202);
    const target = await inbox.start(t.config.keysDir);
    try {
      const { url, id } = await deliver(target);
      await performDelivery(t.ctx, id);
      expect(inbox.seen).toEqual([{ spec: "rfc9421", verified: true, digest: true }]);
      expect(await listDeliveries(t.ctx, url)).toEqual([
        expect.objectContaining({ target, state: "delivered", attempts: 1, last_status: 202, last_error: null }),
      ]);
      // Idempotent: a delivered row is not sent again.
      await performDelivery(t.ctx, id);
      expect(inbox.seen).toHaveLength(1);
    } finally {
      await inbox.close();
    }
  });

  it("knocks again with draft-cavage when RFC 9421 is refused with a 4xx", async () => {
    const inbox = startInbox((spec) => (spec === "rfc9421" ? 401 : 200));
    const target = await inbox.start(t.config.keysDir);
    try {
      const { url, id } = await deliver(target);
      await performDelivery(t.ctx, id);
      expect(inbox.seen.map((s) => [s.spec, s.verified, s.digest])).toEqual([
        ["rfc9421", true, true],
        ["draft-cavage", true, true],
      ]);
      expect((await listDeliveries(t.ctx, url))[0]).toMatchObject({ state: "delivered", last_status: 200 });
    } finally {
      await inbox.close();
    }
  });

  it("ends at 404/410 and removes the follower whose inbox it was", async () => {
    const inbox = startInbox(() => 410);
    const target = await inbox.start(t.config.keysDir);
    try {
      await t.ctx.prisma.follower.create({ data: { username: "alice", actor: "https://peer.test/users/gone", inbox: target } });
      expect(await followerInboxes(t.ctx.prisma, "alice")).toContain(target);
      const { url, id } = await deliver(target);
      await performDelivery(t.ctx, id);
      expect((await listDeliveries(t.ctx, url))[0]).toMatchObject({ state: "gone", last_status: 410, attempts: 1 });
      expect(await t.ctx.prisma.follower.count({ where: { actor: "https://peer.test/users/gone" } })).toBe(0);
      expect(inbox.seen).toHaveLength(1); // a 410 is final: no second knock
    } finally {
      await inbox.close();
    }
  });

  it("throws on a 5xx so the queue retries, counting attempts and keeping the error", async () => {
    const inbox = startInbox(() => 503);
    const target = await inbox.start(t.config.keysDir);
    try {
      const { url, id } = await deliver(target);
      await expect(performDelivery(t.ctx, id)).rejects.toThrow("HTTP 503");
      await expect(performDelivery(t.ctx, id)).rejects.toThrow("HTTP 503");
      expect((await listDeliveries(t.ctx, url))[0]).toMatchObject({ state: "pending", attempts: 2, last_status: 503, last_error: "HTTP 503" });
    } finally {
      await inbox.close();
    }
  });

  it("counts each outcome for GET /metrics once it is written: delivered, gone, retried, failed", async () => {
    enableMetrics();
    const count = async (outcome: string) => {
      const line = (await renderMetrics())!.text.split("\n").find((l) => l.startsWith(`artdag_deliveries_total{outcome="${outcome}"} `));
      return Number(line?.split(" ")[1]);
    };
    const before = { delivered: await count("delivered"), gone: await count("gone"), retried: await count("retried"), failed: await count("failed") };
    let status = 202;
    const inbox = startInbox(() => status);
    const target = await inbox.start(t.config.keysDir);
    try {
      await performDelivery(t.ctx, (await deliver(target)).id);
      status = 410;
      await performDelivery(t.ctx, (await deliver(target)).id);
      status = 500;
      await expect(performDelivery(t.ctx, (await deliver(target)).id)).rejects.toThrow("HTTP 500");
      const last = await deliver(target);
      await t.ctx.prisma.delivery.update({ where: { id: last.id }, data: { attempts: MAX_DELIVERY_ATTEMPTS - 1 } });
      await performDelivery(t.ctx, last.id); // the last attempt: marked failed, not retried
      expect((await listDeliveries(t.ctx, last.url))[0]).toMatchObject({ state: "failed", attempts: MAX_DELIVERY_ATTEMPTS });
      expect({ delivered: await count("delivered"), gone: await count("gone"), retried: await count("retried"), failed: await count("failed") }).toEqual({
        delivered: before.delivered + 1,
        gone: before.gone + 1,
        retried: before.retried + 1,
        failed: before.failed + 1,
      });
    } finally {
      await inbox.close();
    }
  });

  it("refuses private addresses unless FEDERATION_ALLOW_PRIVATE_ADDRESSES allows them", async () => {
    const strict = await createTestContext("pglite");
    try {
      await registerUser(strict.ctx, { username: "alice", password: "password alice" }, { client: null });
      const url = "https://l2.test/activities/private";
      await strict.ctx.prisma.$transaction((tx) => enqueueDeliveries(strict.ctx, tx, { url, actor: "alice", body: "{}" }, ["http://127.0.0.1:9/inbox"]));
      const row = await strict.ctx.prisma.delivery.findFirstOrThrow({ where: { activityUrl: url } });
      await expect(performDelivery(strict.ctx, row.id)).rejects.toThrow();
      expect((await listDeliveries(strict.ctx, url))[0].last_error).toMatch(/private|loopback/i);
    } finally {
      await strict.close();
    }
  });
});
