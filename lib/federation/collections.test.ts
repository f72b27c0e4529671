import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { collectionQuery, getCollection, PAGE_SIZE } from ".";

const hash = (s: string) => createHash("sha3-256").update(s).digest("hex");
type Page = { id: string; type: string; orderedItems: unknown[]; next?: string; prev?: string; partOf: string };

describe.each(databaseKinds)("collections on %s", (kind) => {
  let t: TestContext;
  const assets = PAGE_SIZE * 2 + 5;
  beforeAll(async () => {
    t = await createTestContext(kind);
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
    await registerUser(t.ctx, { username: "quiet", password: "password quiet" }, { client: null });
    for (let i = 0; i < assets; i++) {
      await registerAsset(t.ctx, "alice", registerAssetInput.parse({ name: `a-${i}`, content_hash: hash(`a-${i}`), asset_type: "image" }));
    }
    await t.ctx.prisma.follower.createMany({
      data: Array.from({ length: 3 }, (_, i) => ({ username: "alice", actor: `https://peer.test/users/f${i}`, inbox: `https://peer.test/users/f${i}/inbox` })),
    });
  }, 120_000);
  afterAll(() => t.close());

  const page = (name: "outbox" | "inbox" | "followers" | "following", url: string) =>
    getCollection(t.ctx, name, "alice", collectionQuery.parse(Object.fromEntries(new URL(url).searchParams))) as Promise<Page>;

  it("pages a user's inbox of received activities, newest first, and no one else's", async () => {
    await t.ctx.prisma.inboxItem.createMany({
      data: Array.from({ length: PAGE_SIZE + 2 }, (_, i) => ({
        username: "alice",
        activityId: `https://peer.test/likes/${i}`,
        type: "Like",
        actor: "https://peer.test/users/f0",
        body: JSON.stringify({ id: `https://peer.test/likes/${i}`, type: "Like" }),
      })),
    });
    expect(await getCollection(t.ctx, "inbox", "alice", {})).toMatchObject({
      type: "OrderedCollection",
      totalItems: PAGE_SIZE + 2,
      id: "https://l2.test/users/alice/inbox",
    });
    const first = (await getCollection(t.ctx, "inbox", "alice", { page: "true" })) as Page;
    expect(first.orderedItems).toHaveLength(PAGE_SIZE);
    expect(first.orderedItems[0]).toEqual({ id: `https://peer.test/likes/${PAGE_SIZE + 1}`, type: "Like" });
    const second = (await page("inbox", first.next ?? "")) as Page;
    expect(second.orderedItems).toEqual([
      { id: "https://peer.test/likes/1", type: "Like" },
      { id: "https://peer.test/likes/0", type: "Like" },
    ]);
    expect(second.next).toBeUndefined();
    expect(second.prev).toBeDefined();
    expect(await getCollection(t.ctx, "inbox", "quiet", {})).toMatchObject({ totalItems: 0 });
  });

  it("describes the outbox as an OrderedCollection with totalItems and first", async () => {
    expect(await getCollection(t.ctx, "outbox", "alice", {})).toEqual({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: "https://l2.test/users/alice/outbox",
      type: "OrderedCollection",
      totalItems: assets,
      first: "https://l2.test/users/alice/outbox?page=true",
      last: "https://l2.test/users/alice/outbox?page=true&min=0",
    });
  });

  it("walks the outbox newest first through next links, each activity exactly once, and back through prev", async () => {
    const seen: string[] = [];
    const pages: Page[] = [];
    let url: string | undefined = "https://l2.test/users/alice/outbox?page=true";
    while (url) {
      const p = await page("outbox", url);
      expect(p).toMatchObject({ type: "OrderedCollectionPage", partOf: "https://l2.test/users/alice/outbox" });
      pages.push(p);
      seen.push(...p.orderedItems.map((a) => (a as { object: { name: string } }).object.name));
      url = p.next;
    }
    expect(pages.map((p) => p.orderedItems.length)).toEqual([PAGE_SIZE, PAGE_SIZE, 5]);
    expect(seen).toEqual(Array.from({ length: assets }, (_, i) => `a-${assets - 1 - i}`));
    expect(pages[0].prev).toBeUndefined();
    // prev from the last page leads back to the same second page.
    const back = await page("outbox", pages[2].prev!);
    expect(back.orderedItems).toEqual(pages[1].orderedItems);
    expect(back.next).toBe(pages[1].next);
    // The last page (min=0) is the oldest items, still newest first, and has no next.
    const last = await page("outbox", "https://l2.test/users/alice/outbox?page=true&min=0");
    expect(last.orderedItems.map((a) => (a as { object: { name: string } }).object.name)).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, i) => `a-${PAGE_SIZE - 1 - i}`),
    );
    expect(last.next).toBeUndefined();
    expect(last.prev).toBeDefined();
  });

  it("serves the outbox items as the signed activities, byte for byte the stored ones", async () => {
    const first = await page("outbox", "https://l2.test/users/alice/outbox?page=true");
    const stored = await t.ctx.prisma.activity.findFirstOrThrow({ where: { actor: "alice" }, orderBy: { index: "desc" } });
    expect(first.orderedItems[0]).toEqual(JSON.parse(stored.body));
  });

  it("lists followers by actor id, and an empty following collection", async () => {
    expect(await getCollection(t.ctx, "followers", "alice", {})).toMatchObject({ type: "OrderedCollection", totalItems: 3 });
    expect((await page("followers", "https://l2.test/users/alice/followers?page=true")).orderedItems).toEqual([
      "https://peer.test/users/f2",
      "https://peer.test/users/f1",
      "https://peer.test/users/f0",
    ]);
    expect(await getCollection(t.ctx, "following", "alice", {})).toMatchObject({ type: "OrderedCollection", totalItems: 0 });
    expect(await getCollection(t.ctx, "outbox", "quiet", {})).not.toHaveProperty("last");
    expect((await getCollection(t.ctx, "outbox", "quiet", { page: "true" })).orderedItems).toEqual([]);
  });

  it("answers 404 for an unknown user and refuses cursors that are not ours", async () => {
    expect(await rejectsWithAppError(getCollection(t.ctx, "outbox", "nobody", {}))).toMatchObject({ status: 404 });
    expect(collectionQuery.safeParse({ max: "99999999999" }).success).toBe(false);
    expect(collectionQuery.safeParse({ page: "yes" }).success).toBe(false);
  });
});
