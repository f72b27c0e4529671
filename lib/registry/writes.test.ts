// The rules of writing claims (registerAsset, writeClaims), now that the signature is made before the
// transaction and an owner without followers is written in one batched transaction: unique
// constraints still decide conflicts, a failed write leaves nothing, publication indexes stay gapless
// and in order, and deliveries are still enqueued with the claim when the owner has followers.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerUser } from "@/lib/accounts";
import type { AppError } from "@/lib/errors";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { signClaim, writeClaims, type ClaimInput } from "./assets";
import { getAsset, registerAsset, registerAssetInput } from ".";

const hash = (s: string) => createHash("sha3-256").update(s).digest("hex");

function claimInput(owner: string, name: string, contentHash = hash(name)): ClaimInput {
  return { owner, name, contentHash, assetType: "image", tags: [], metadata: {} };
}

describe.each(databaseKinds)("writing claims on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    for (const u of ["alice", "bob", "carol"]) await registerUser(t.ctx, { username: u, password: "password " + u }, { client: null });
    // carol has two followers on one shared inbox: her claims are delivered.
    await t.ctx.prisma.follower.createMany({
      data: [1, 2].map((i) => ({
        username: "carol",
        actor: `https://peer.test/users/f${i}`,
        inbox: `https://peer.test/users/f${i}/inbox`,
        sharedInbox: "https://peer.test/inbox",
      })),
    });
  });
  afterAll(() => t.close());

  const counts = async () => ({
    activities: await t.ctx.prisma.activity.count(),
    assets: await t.ctx.prisma.asset.count(),
    deliveries: await t.ctx.prisma.delivery.count(),
  });

  async function expectGaplessIndexes() {
    const rows = await t.ctx.prisma.activity.findMany({ select: { index: true }, orderBy: { index: "asc" } });
    expect(rows.map((r) => r.index)).toEqual(rows.map((_, i) => i + 1));
  }

  it("writes an owner without followers in one batched transaction (no interactive one)", async () => {
    const spy = vi.spyOn(t.ctx.prisma, "$transaction");
    try {
      const { asset } = await registerAsset(
        t.ctx,
        "alice",
        registerAssetInput.parse({
          name: "batched",
          content_hash: hash("batched"),
          asset_type: "image",
          tags: ["a", "b c"],
          metadata: { title: "Chat ✨", n: 1.5, nested: { a: [1, "😀", null] } },
          url: "https://example.test/cat.png",
        }),
      );
      expect(asset.activity_index).toBe(1);
      // The view built from the INSERT's own answer is the one read back later.
      expect(await getAsset(t.ctx, "batched")).toEqual(asset);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(Array.isArray(spy.mock.calls[0][0])).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it("leaves nothing behind when a later write of the batch fails (an activity was inserted before it)", async () => {
    const before = await counts();
    // The second claim takes the first one's name: its asset INSERT fails after both activities were written.
    const claims = [
      await signClaim(t.ctx, claimInput("alice", "twice", hash("twice-1"))),
      await signClaim(t.ctx, claimInput("alice", "twice", hash("twice-2"))),
    ];
    await expect(writeClaims(t.ctx, claims, { timeoutMs: 15_000 })).rejects.toThrow();
    expect(await counts()).toEqual(before);
    await expectGaplessIndexes();
  });

  it("leaves nothing behind when the owner has followers and the write fails (no deliveries, no jobs)", async () => {
    const before = await counts();
    const jobs = t.sentJobs.length;
    const claims = [
      await signClaim(t.ctx, claimInput("carol", "twice-c", hash("twice-c1"))),
      await signClaim(t.ctx, claimInput("carol", "twice-c", hash("twice-c2"))),
    ];
    await expect(writeClaims(t.ctx, claims, { timeoutMs: 15_000 })).rejects.toThrow();
    expect(await counts()).toEqual(before);
    // The recording queue cannot roll back; it only shows the jobs were written inside the transaction.
    expect(t.sentJobs.slice(jobs).every((j) => j.inTransaction)).toBe(true);
  });

  it("enqueues one delivery per shared inbox with the claim when the owner has followers", async () => {
    const jobs = t.sentJobs.length;
    const { activity } = await registerAsset(
      t.ctx,
      "carol",
      registerAssetInput.parse({ name: "followed", content_hash: hash("followed"), asset_type: "image" }),
    );
    const deliveries = await t.ctx.prisma.delivery.findMany({ where: { activityUrl: activity.id } });
    expect(deliveries.map((d) => d.target)).toEqual(["https://peer.test/inbox"]);
    expect(t.sentJobs.slice(jobs)).toEqual([{ name: "deliver", data: { delivery_id: deliveries[0].id }, inTransaction: true }]);
  });

  it("lets the unique constraints decide concurrent claims: one winner per name and per hash, 409s, gapless indexes", async () => {
    const before = await counts();
    const sameName = ["alice", "bob", "carol", "alice"].map((owner, i) =>
      registerAsset(t.ctx, owner, registerAssetInput.parse({ name: "raced-name", content_hash: hash(`raced-name-${i}`), asset_type: "image" })),
    );
    const sameHash = ["bob", "alice", "carol", "bob"].map((owner, i) =>
      registerAsset(t.ctx, owner, registerAssetInput.parse({ name: `raced-hash-${i}`, content_hash: hash("raced-hash"), asset_type: "image" })),
    );
    const [byName, byHash] = await Promise.all([Promise.allSettled(sameName), Promise.allSettled(sameHash)]);
    for (const [results, code] of [
      [byName, "name_taken"],
      [byHash, "content_already_claimed"],
    ] as const) {
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as AppError);
      expect(lost.map((e) => [e.status, e.code])).toEqual([
        [409, code],
        [409, code],
        [409, code],
      ]);
    }
    const after = await counts();
    expect(after.activities - before.activities).toBe(2);
    expect(after.assets - before.assets).toBe(2);
    await expectGaplessIndexes();
  });

  it("gives concurrent registrations consecutive indexes in commit order, each asset with its own activity", async () => {
    const before = await t.ctx.prisma.activity.count();
    const written = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        registerAsset(t.ctx, i % 2 ? "alice" : "carol", registerAssetInput.parse({ name: `many-${i}`, content_hash: hash(`many-${i}`), asset_type: "image" })),
      ),
    );
    const indexes = written.map((w) => w.asset.activity_index).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 8 }, (_, i) => before + i + 1));
    for (const w of written) {
      const row = await t.ctx.prisma.activity.findUniqueOrThrow({ where: { id: w.asset.activity_id }, select: { index: true, body: true } });
      expect(row.index).toBe(w.asset.activity_index);
      expect(JSON.parse(row.body)).toEqual(w.activity);
    }
    // The index follows the registration order (keyset paging of assets and of activities agree).
    const assets = await t.ctx.prisma.asset.findMany({ orderBy: { id: "asc" }, select: { activity: { select: { index: true } } } });
    const assetIndexes = assets.map((a) => a.activity.index);
    expect(assetIndexes).toEqual([...assetIndexes].sort((a, b) => a - b));
    await expectGaplessIndexes();
  });
});
