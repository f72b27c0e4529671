// Purges travel through the database (NOTIFY artdag_cache) on PGlite and on PostgreSQL: delivered when
// the write commits, never for a write that was rolled back, and sent by the writes that change a
// public document (a new account, a new claim).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { testDatabaseUrl } from "@/lib/config";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { CACHE_PURGE_CHANNEL, cacheTag, deliverCachePurge, listenForCachePurges, onCachePurge, parsePurgePayload, purgeCache, type PurgeSubscription } from ".";

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe("parsePurgePayload", () => {
  it("reads a JSON array of tags and nothing else", () => {
    expect(parsePurgePayload('["user:alice","nodeinfo"]')).toEqual(["user:alice", "nodeinfo"]);
    expect(parsePurgePayload('["a", 1, null]')).toEqual(["a"]);
    expect(parsePurgePayload("{}")).toEqual([]);
    expect(parsePurgePayload("not json")).toEqual([]);
    expect(parsePurgePayload(undefined)).toEqual([]);
  });
});

describe("the process-wide purge listeners", () => {
  it("hand each delivered purge to every listener until it unsubscribes", () => {
    const seen: string[][] = [];
    const stop = onCachePurge((tags) => seen.push(tags));
    deliverCachePurge(["a"]);
    deliverCachePurge([]);
    stop();
    deliverCachePurge(["b"]);
    expect(seen).toEqual([["a"]]);
  });
});

describe.each(databaseKinds)("purges through the database (%s)", (kind) => {
  let t: TestContext;
  let subscription: PurgeSubscription | null = null;
  let stopListening: () => void = () => {};
  /** Purges that came back through the database. */
  const received: string[][] = [];
  const all = () => received.flat();
  /** Purges this process delivered to its own listeners. */
  const inProcess: string[][] = [];

  beforeAll(async () => {
    t = await createTestContext(kind);
    stopListening = onCachePurge((tags) => inProcess.push(tags));
    const notified = (tags: string[]) => received.push(tags);
    if (kind === "pglite") {
      // What lib/runtime does with the process's PGlite (here into the test's list).
      await t.db.pglite!.listen(CACHE_PURGE_CHANNEL, (payload) => notified(parsePurgePayload(payload)));
    } else {
      // The front door's own connection to the test's database.
      const url = new URL(testDatabaseUrl()!);
      url.pathname = `/${(await t.ctx.prisma.$queryRaw<{ db: string }[]>`SELECT current_database() AS db`)[0].db}`;
      subscription = listenForCachePurges(url.toString(), { deliver: notified });
      // LISTEN is in place once a purge sent now arrives.
      await waitFor(() => {
        void purgeCache(t.ctx.prisma, ["ready"]);
        return all().includes("ready");
      }, "the listener");
    }
  });
  afterAll(async () => {
    stopListening();
    await subscription?.close();
    await t?.close();
  });

  it("purges in this process at once", async () => {
    await purgeCache(t.ctx.prisma, ["at-once"]);
    expect(inProcess.flat()).toContain("at-once");
  });

  it("notifies a purge sent inside a transaction once it commits, and nothing of one rolled back", async () => {
    await t.ctx.prisma.$transaction(async (tx) => {
      await purgeCache(tx, ["committed:1", "committed:2"]);
    });
    await t.ctx.prisma
      .$transaction(async (tx) => {
        await purgeCache(tx, ["rolled-back"]);
        throw new Error("roll back");
      })
      .catch(() => {});
    await purgeCache(t.ctx.prisma, ["after"]);
    await waitFor(() => all().includes("after"), "the last purge");
    expect(all()).toContain("committed:1");
    expect(all()).toContain("committed:2");
    expect(all()).not.toContain("rolled-back");
  });

  it("is sent by the writes that change public documents: a new account, a new claim", async () => {
    await registerUser(t.ctx, { username: "carol", password: "password carol" }, { client: null });
    const contentHash = createHash("sha3-256").update(`cache-${kind}`).digest("hex");
    await registerAsset(t.ctx, "carol", registerAssetInput.parse({ name: `cached-${kind}`, content_hash: contentHash, asset_type: "image" }));
    const expected = [cacheTag.nodeinfo, cacheTag.user("carol"), cacheTag.collection("carol", "outbox"), cacheTag.object(contentHash)];
    await waitFor(() => expected.every((tag) => all().includes(tag)), expected.join(", "));
  });
  it("purges a claim once whether or not its owner has followers, and only when the claim is written", async () => {
    for (const u of ["erin", "dora"]) await registerUser(t.ctx, { username: u, password: `password ${u}` }, { client: null });
    // dora has a follower, erin has none.
    await t.ctx.prisma.follower.create({
      data: { username: "dora", actor: "https://peer.test/users/f", inbox: "https://peer.test/users/f/inbox", sharedInbox: "https://peer.test/inbox" },
    });
    for (const owner of ["erin", "dora"]) {
      const contentHash = createHash("sha3-256").update(`once-${owner}-${kind}`).digest("hex");
      await registerAsset(t.ctx, owner, registerAssetInput.parse({ name: `once-${owner}-${kind}`, content_hash: contentHash, asset_type: "image" }));
      await waitFor(() => all().includes(cacheTag.object(contentHash)), `the purge of ${owner}'s claim`);
      // Notifications arrive in commit order: one sent before the claim's own would be here already.
      expect(all().filter((tag) => tag === cacheTag.object(contentHash))).toHaveLength(1);
      expect(await t.ctx.prisma.asset.count({ where: { contentHash } })).toBe(1);
    }
    // A refused claim (the hash is taken) purges nothing.
    const taken = createHash("sha3-256").update(`once-erin-${kind}`).digest("hex");
    const before = all().length;
    await expect(
      registerAsset(t.ctx, "dora", registerAssetInput.parse({ name: `refused-${kind}`, content_hash: taken, asset_type: "image" })),
    ).rejects.toMatchObject({ code: "content_already_claimed" });
    await purgeCache(t.ctx.prisma, ["after-refused"]);
    await waitFor(() => all().includes("after-refused"), "the last purge");
    expect(all().slice(before)).toEqual(["after-refused"]);
  });
  // Last: cutting the connection cuts the suite's own listener too (it reconnects a second later).
  // Only where there is a PostgreSQL connection to cut (registered only there, so PGlite skips nothing).
  if (kind === "postgres")
    it("listens again after its connection is cut, and says so (a purge may have been missed)", async () => {
      const url = new URL(testDatabaseUrl()!);
      const database = (await t.ctx.prisma.$queryRaw<{ db: string }[]>`SELECT current_database() AS db`)[0].db;
      url.pathname = `/${database}`;
      const heard: string[] = [];
      let reconnects = 0;
      const logged: string[] = [];
      const own = listenForCachePurges(url.toString(), {
        deliver: (tags) => heard.push(...tags),
        onReconnect: () => reconnects++,
        log: (message) => logged.push(message),
        retryMs: 50,
      });
      try {
        await waitFor(() => {
          void purgeCache(t.ctx.prisma, ["first"]);
          return heard.includes("first");
        }, "the listener");
        await t.ctx.prisma
          .$executeRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database} AND query = 'LISTEN artdag_cache' AND pid <> pg_backend_pid()`;
        await waitFor(() => reconnects > 0, "the reconnect");
        await waitFor(() => {
          void purgeCache(t.ctx.prisma, ["second"]);
          return heard.includes("second");
        }, "a purge after the reconnect");
        expect(logged.join("\n")).toMatch(/lost its connection/);
      } finally {
        await own.close();
      }
    });
});
