// The cache of positive token verifications (lib/cache/verified): answers held until the token
// expires or a purge names them, never stored across a purge, never answered while this process
// cannot be sure it hears every purge; and on PostgreSQL, the listener's barrier delivering every
// purge committed before it was called.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@/lib/config";
import { createTestContext, type TestContext } from "@/lib/testing";
import {
  CACHE_PURGE_CHANNEL,
  cacheTag,
  createVerifiedTokenCache,
  deliverCachePurge,
  IN_PROCESS_PURGE_FEED,
  listenForCachePurges,
  PURGE_LISTENER_NAME,
  purgeCache,
  setPurgeFeed,
  verifiedTokens,
  type PurgeFeed,
  type VerifiedAnswer,
} from ".";

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const nowSeconds = NOW / 1000;

function answer(overrides: Partial<VerifiedAnswer> = {}): VerifiedAnswer {
  const body = { valid: true, active: true, username: "alice" };
  return {
    scope: "https://l1.test",
    body,
    text: JSON.stringify(body),
    exp: nowSeconds + 3600,
    tags: [cacheTag.token("own"), cacheTag.token("parent"), cacheTag.account("alice")],
    ...overrides,
  };
}

/** A feed whose state the test sets. */
function feed(state: { live: boolean; synced: boolean }): PurgeFeed {
  return { live: () => state.live, sync: () => Promise.resolve(state.synced) };
}

describe("the cache of positive verifications", () => {
  afterEach(() => setPurgeFeed(null));

  it("answers a remembered token for the same scope, and nothing for another scope or token", async () => {
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    const cache = createVerifiedTokenCache({ max: 10 });
    expect(await cache.lookup("tok", "https://l1.test", NOW)).toBeNull();
    expect(cache.remember("tok", answer(), cache.begin(), NOW)).toBe(true);
    expect(await cache.lookup("tok", "https://l1.test", NOW)).toMatchObject({ text: answer().text });
    expect(await cache.lookup("tok", "https://other-l1.test", NOW)).toBeNull();
    expect(await cache.lookup("tok2", "https://l1.test", NOW)).toBeNull();
  });

  it("drops an entry when a purge names its token, its session or its account, and ignores other purges", async () => {
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    for (const tag of [cacheTag.token("own"), cacheTag.token("parent"), cacheTag.account("alice")]) {
      const cache = createVerifiedTokenCache({ max: 10 });
      cache.remember("tok", answer(), cache.begin(), NOW);
      // Other tokens, and the user's public documents (every new asset purges user:alice).
      cache.purge([cacheTag.token("someone-else"), cacheTag.nodeinfo, cacheTag.user("alice")]);
      expect(await cache.lookup("tok", "https://l1.test", NOW), tag).not.toBeNull();
      cache.purge([tag]);
      expect(await cache.lookup("tok", "https://l1.test", NOW), tag).toBeNull();
      expect(cache.size).toBe(0);
    }
  });

  it("never answers past the token's own expiry", async () => {
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    const cache = createVerifiedTokenCache({ max: 10 });
    cache.remember("tok", answer({ exp: nowSeconds + 60 }), cache.begin(), NOW);
    expect(await cache.lookup("tok", "https://l1.test", NOW + 59_000)).not.toBeNull();
    expect(await cache.lookup("tok", "https://l1.test", NOW + 60_000)).toBeNull();
    // An already expired one is not stored at all.
    expect(cache.remember("old", answer({ exp: nowSeconds - 1 }), cache.begin(), NOW)).toBe(false);
  });

  it("does not store an answer computed across a relevant purge or a clear (it may predate a revocation)", async () => {
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    const cache = createVerifiedTokenCache({ max: 10 });
    let startedAt = cache.begin();
    cache.purge([cacheTag.token("anything")]);
    expect(cache.remember("tok", answer(), startedAt, NOW)).toBe(false);
    startedAt = cache.begin();
    cache.clear();
    expect(cache.remember("tok", answer(), startedAt, NOW)).toBe(false);
    // A purge of public documents only does not concern it.
    startedAt = cache.begin();
    cache.purge([cacheTag.nodeinfo]);
    expect(cache.remember("tok", answer(), startedAt, NOW)).toBe(true);
  });

  it("is bypassed while the purge feed is down: nothing stored, nothing answered", async () => {
    const state = { live: true, synced: true };
    setPurgeFeed(feed(state));
    const cache = createVerifiedTokenCache({ max: 10 });
    expect(cache.remember("held", answer(), cache.begin(), NOW)).toBe(true);
    state.live = false;
    state.synced = false;
    expect(cache.remember("tok", answer(), cache.begin(), NOW)).toBe(false);
    expect(await cache.lookup("held", "https://l1.test", NOW)).toBeNull();
    // No feed at all (a process that listens to nothing) is the same.
    setPurgeFeed(null);
    expect(cache.remember("tok", answer(), cache.begin(), NOW)).toBe(false);
    expect(await cache.lookup("held", "https://l1.test", NOW)).toBeNull();
  });

  it("re-checks after the barrier: a purge the barrier delivers is honoured by the lookup that waited for it", async () => {
    const cache = createVerifiedTokenCache({ max: 10 });
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    cache.remember("tok", answer(), cache.begin(), NOW);
    setPurgeFeed({
      live: () => true,
      sync: async () => {
        cache.purge([cacheTag.token("parent")]);
        return true;
      },
    });
    expect(await cache.lookup("tok", "https://l1.test", NOW)).toBeNull();
  });

  it("keeps at most `max` entries", () => {
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    const cache = createVerifiedTokenCache({ max: 3 });
    for (let i = 0; i < 10; i++) cache.remember(`tok${i}`, answer({ tags: [cacheTag.token(`t${i}`)] }), cache.begin(), NOW);
    expect(cache.size).toBe(3);
  });

  it("the process-wide cache follows the process's purges", async () => {
    setPurgeFeed(IN_PROCESS_PURGE_FEED);
    const cache = verifiedTokens();
    const token = randomBytes(8).toString("hex");
    cache.remember(token, answer({ tags: [cacheTag.token(token)] }), cache.begin(), NOW);
    expect(await cache.lookup(token, "https://l1.test", NOW)).not.toBeNull();
    deliverCachePurge([cacheTag.token(token)]);
    expect(await cache.lookup(token, "https://l1.test", NOW)).toBeNull();
  });
});

// The barrier on PostgreSQL: once feed.sync() resolves, a purge committed (by another connection,
// as another replica would) before it was called has been delivered. Repeated, so a race would show.
describe.runIf(testDatabaseUrl())("the purge listener's barrier on PostgreSQL", () => {
  let t: TestContext;
  let url: string;
  let other: pg.Client;
  let subscription: ReturnType<typeof listenForCachePurges>;
  const received = new Set<string>();
  let downs = 0;

  beforeAll(async () => {
    t = await createTestContext("postgres");
    const u = new URL(testDatabaseUrl()!);
    u.pathname = `/${(await t.ctx.prisma.$queryRaw<{ db: string }[]>`SELECT current_database() AS db`)[0].db}`;
    url = u.toString();
    other = new pg.Client({ connectionString: url });
    await other.connect();
    subscription = listenForCachePurges(url, { deliver: (tags) => tags.forEach((tag) => received.add(tag)), onDown: () => downs++, retryMs: 50 });
    for (let i = 0; i < 500 && !subscription.feed.live(); i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await subscription?.close();
    await other?.end();
    await t?.close();
  });

  it("is live once LISTEN is in place, and every purge committed before a sync is delivered when it resolves", async () => {
    expect(subscription.feed.live()).toBe(true);
    for (let i = 0; i < 50; i++) {
      const tag = cacheTag.token(`barrier-${i}`);
      await other.query("SELECT pg_notify($1, $2)", [CACHE_PURGE_CHANNEL, JSON.stringify([tag])]);
      // Several callers at once share barriers; each must see the purge.
      const results = await Promise.all([subscription.feed.sync(), subscription.feed.sync(), subscription.feed.sync()]);
      expect(results).toEqual([true, true, true]);
      expect(received.has(tag), tag).toBe(true);
    }
  });

  it("a purge sent inside a transaction arrives with the first sync after its commit, not before", async () => {
    const tag = cacheTag.token("in-transaction");
    await other.query("BEGIN");
    await other.query("SELECT pg_notify($1, $2)", [CACHE_PURGE_CHANNEL, JSON.stringify([tag])]);
    expect(await subscription.feed.sync()).toBe(true);
    expect(received.has(tag)).toBe(false);
    await other.query("COMMIT");
    expect(await subscription.feed.sync()).toBe(true);
    expect(received.has(tag)).toBe(true);
  });

  it("sends a purge of many tags (longer than one NOTIFY payload) whole, inside a transaction", async () => {
    const tags = Array.from({ length: 300 }, () => cacheTag.token(randomBytes(32).toString("hex")));
    await t.ctx.prisma.$transaction((tx) => purgeCache(tx, tags));
    expect(await subscription.feed.sync()).toBe(true);
    expect(tags.filter((tag) => !received.has(tag))).toEqual([]);
  });

  it("goes down (and says so) when its connection is lost, and comes back", async () => {
    const before = downs;
    await other.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", [
      PURGE_LISTENER_NAME,
    ]);
    for (let i = 0; i < 500 && downs === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(downs).toBeGreaterThan(before);
    // While down: no barrier can be passed.
    if (!subscription.feed.live()) expect(await subscription.feed.sync()).toBe(false);
    for (let i = 0; i < 500 && !subscription.feed.live(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(subscription.feed.live()).toBe(true);
    expect(await subscription.feed.sync()).toBe(true);
  });
});
