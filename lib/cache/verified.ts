// The per-process cache of positive token verifications (`POST /auth/verify`, #20 item 6, and login
// tokens presented as Bearer or in the session cookie, lib/tokens verifySessionToken): an answer
// given for a token is answered again from memory until the token expires, a purge of one of its tags
// arrives (a revocation, a logout, a detach, an account change), or this process can no longer be
// sure it hears every purge. Keyed by the token's SHA-256, never by the token itself.
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";

/**
 * How this process learns of purges, as a cache of positive answers needs to know it: whether it
 * hears every purge right now, and a barrier that resolves once every purge committed before the
 * call has been delivered here.
 */
export interface PurgeFeed {
  /** True while every committed purge reaches this process (a LISTEN connection is up, or the database is in this process). */
  live(): boolean;
  /**
   * Resolves true once every purge committed before this call has been delivered to this process,
   * false when that cannot be known (the listener is down, or did not answer in time).
   */
  sync(): Promise<boolean>;
}

/** The feed of a process whose database lives inside it (PGlite): every purge is delivered at once. */
export const IN_PROCESS_PURGE_FEED: PurgeFeed = { live: () => true, sync: () => Promise.resolve(true) };

const feedHolder = globalThis as unknown as { __artdagPurgeFeed?: PurgeFeed | null };

/** Installs this process's purge feed (null: none, so nothing is answered from memory). */
export function setPurgeFeed(feed: PurgeFeed | null): void {
  feedHolder.__artdagPurgeFeed = feed;
}

function purgeFeed(): PurgeFeed | null {
  return feedHolder.__artdagPurgeFeed ?? null;
}

/** A positive answer as it is stored. */
export interface VerifiedAnswer {
  /** What the token was verified for (the normalised L1, or SESSION_SCOPE); a lookup for anything else misses. */
  scope: string;
  /** The answer's body, and the same serialised (the bytes sent). */
  body: object;
  text: string;
  /** The token's own expiry (seconds since the epoch): the entry never outlives it. */
  exp: number;
  /** Purge tags (lib/cache cacheTag): the token itself, the session it came from, its account. */
  tags: string[];
}

export interface VerifiedTokenCache {
  /** The mark to hand to remember(): taken before the database is asked. */
  begin(): number;
  /**
   * Stores a positive answer for `token`, unless a relevant purge (or a clear) happened since
   * `startedAt` — the answer may then predate a revocation — or this process is not hearing every
   * purge right now, or the token has expired. Returns whether it was stored.
   */
  remember(token: string, answer: VerifiedAnswer, startedAt: number, nowMs: number): boolean;
  /**
   * The stored answer for `token` verified for `scope`, or null. A held answer is returned only
   * after the purge feed's barrier: every revocation committed before this call has been applied.
   */
  lookup(token: string, scope: string, nowMs: number): Promise<VerifiedAnswer | null>;
  purge(tags: readonly string[]): void;
  clear(): void;
  readonly size: number;
}

/** Only purges of these tags can concern a stored verification. */
const RELEVANT_TAG = /^(token|account):/;

function keyOf(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A cache of positive verifications, at most `max` entries (least recently used go first). */
export function createVerifiedTokenCache(options: { max: number }): VerifiedTokenCache {
  const byTag = new Map<string, Set<string>>();
  const entries = new LRUCache<string, VerifiedAnswer>({
    max: options.max,
    dispose(value, key) {
      for (const tag of value.tags) {
        const keys = byTag.get(tag);
        keys?.delete(key);
        if (keys?.size === 0) byTag.delete(tag);
      }
    },
  });
  // Bumped by every relevant purge and every clear: an answer computed across one is not stored.
  let generation = 0;

  return {
    begin: () => generation,
    remember(token, answer, startedAt, nowMs) {
      const ttl = answer.exp * 1000 - nowMs;
      if (startedAt !== generation || ttl <= 0 || !purgeFeed()?.live()) return false;
      const key = keyOf(token);
      entries.set(key, answer, { ttl: Math.min(ttl, 2 ** 31 - 1) });
      for (const tag of answer.tags) {
        let keys = byTag.get(tag);
        if (!keys) byTag.set(tag, (keys = new Set()));
        keys.add(key);
      }
      return true;
    },
    async lookup(token, scope, nowMs) {
      const key = keyOf(token);
      const held = entries.get(key);
      if (!held || held.scope !== scope || held.exp * 1000 <= nowMs) return null;
      const feed = purgeFeed();
      if (!feed || !(await feed.sync())) return null;
      // The barrier may have delivered a purge of this very entry.
      return entries.get(key) === held ? held : null;
    },
    purge(tags) {
      if (!tags.some((t) => RELEVANT_TAG.test(t))) return;
      generation += 1;
      for (const tag of tags) {
        for (const key of [...(byTag.get(tag) ?? [])]) entries.delete(key);
      }
    },
    clear() {
      generation += 1;
      entries.clear();
      byTag.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
