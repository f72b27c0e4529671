// Purging the front door's response cache (design/serving.md §2): the tags that name what a public
// document shows, and the one call a write makes when it changes such a document. A purge is a
// PostgreSQL `NOTIFY artdag_cache` — sent inside the write's transaction where there is one, so it is
// delivered only when the write commits, and to every replica listening on the same database (and
// to this process: the front door listens too; on PGlite the runtime relays it). The same purges
// drop the positive token verifications a process holds (verifiedTokens, ./verified), which are
// answered only while this process provably hears every purge (its PurgeFeed). Framework-free.
import pg from "pg";
import { getLogger } from "@/lib/log";
import { createVerifiedTokenCache, type PurgeFeed, type VerifiedTokenCache } from "./verified";

export { createVerifiedTokenCache, IN_PROCESS_PURGE_FEED, setPurgeFeed, type PurgeFeed, type VerifiedAnswer, type VerifiedTokenCache } from "./verified";

/** The PostgreSQL channel purges travel on. */
export const CACHE_PURGE_CHANNEL = "artdag_cache";

/** Tags of cached public documents; a route tags its answer, a write purges the same tags. */
export const cacheTag = {
  /** The actor (both representations) and its WebFinger answers (acct: and the client did:keys). */
  user: (username: string) => `user:${username}`,
  /** Every page of a user's public collection (outbox, followers, following). */
  collection: (username: string, name: string) => `${name}:${username}`,
  /** The signed ActivityPub object of a content hash. */
  object: (contentHash: string) => `object:${contentHash}`,
  /** One stored activity (by id and by publication index). */
  activity: (activityId: string) => `activity:${activityId}`,
  /** NodeInfo (its usage counts). */
  nodeinfo: "nodeinfo",
  /** A token, by its SHA-256 (lib/tokens tokenHash): a renderer token, or the login token it came from. */
  token: (hash: string) => `token:${hash}`,
  /**
   * Every held verification of an account's tokens (login and renderer): purged when the account
   * can no longer act (deleted, its name reused). Not `user:`, which every new asset of the user
   * purges (its public documents), and which must not drop its held logins each time.
   */
  account: (username: string) => `account:${username}`,
} as const;

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: longer purges go in several. */
const MAX_PAYLOAD_BYTES = 7900;

function payloads(tags: string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  for (const tag of tags) {
    if (batch.length > 0 && Buffer.byteLength(JSON.stringify([...batch, tag])) > MAX_PAYLOAD_BYTES) {
      out.push(JSON.stringify(batch));
      batch = [];
    }
    batch.push(tag);
  }
  if (batch.length > 0) out.push(JSON.stringify(batch));
  return out;
}

/** What a purge is sent through: the Prisma client or an open transaction. */
export interface RawSql {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Purges every cached entry carrying one of `tags`, in this process and every other replica. Given a
 * transaction, the notification is sent when (and only if) it commits. This process also purges at
 * once, so the writer's next read never waits for the notification to come back (a rolled-back
 * write then costs a cache miss, nothing more); the notification, after the commit, purges again
 * whatever a concurrent read stored in between.
 */
export async function purgeCache(db: RawSql, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const unique = [...new Set(tags)];
  for (const payload of payloads(unique)) await db.$executeRaw`SELECT pg_notify(${CACHE_PURGE_CHANNEL}, ${payload})`;
  deliverCachePurge(unique);
}

/**
 * The `pg_notify` of a purge, for a write that sends it as part of a statement of its own
 * transaction (one round trip fewer than purgeCache): the notification goes out when that
 * transaction commits; after the commit, the writer calls deliverCachePurge(tags) for this process,
 * as purgeCache does.
 */
export function purgeNotification(tags: readonly string[]): { channel: string; payload: string; tags: string[] } {
  const unique = [...new Set(tags)];
  return { channel: CACHE_PURGE_CHANNEL, payload: JSON.stringify(unique), tags: unique };
}

/** The tags of a purge notification's payload (anything malformed purges nothing). */
export function parsePurgePayload(payload: string | undefined): string[] {
  try {
    const value: unknown = JSON.parse(payload ?? "");
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

type PurgeListener = (tags: string[]) => void;

// Next bundles lib/ apart from the server script that runs the front door, so the two hold separate
// copies of this module: the process-wide listeners live on globalThis, where both find them.
const bus = globalThis as unknown as { __artdagCachePurge?: Set<PurgeListener> };

/** Calls `listener` with the tags of every purge this process receives; returns the unsubscribe. */
export function onCachePurge(listener: PurgeListener): () => void {
  bus.__artdagCachePurge ??= new Set();
  bus.__artdagCachePurge.add(listener);
  return () => bus.__artdagCachePurge?.delete(listener);
}

/** Hands a received purge to this process's listeners (the front door's cache). */
export function deliverCachePurge(tags: string[]): void {
  if (tags.length === 0) return;
  for (const listener of bus.__artdagCachePurge ?? []) listener(tags);
}

const verifiedHolder = globalThis as unknown as { __artdagVerifiedTokens?: VerifiedTokenCache };

/** How many positive token verifications a process keeps (about 1 KiB each). */
const VERIFIED_TOKENS_MAX = 10_000;

/**
 * This process's cache of positive token verifications (lib/cache/verified), purged by every purge
 * this process receives. Shared through globalThis like the purge listeners: the route that fills it
 * and the front door that answers from it are bundled apart.
 */
export function verifiedTokens(): VerifiedTokenCache {
  if (!verifiedHolder.__artdagVerifiedTokens) {
    const cache = createVerifiedTokenCache({ max: VERIFIED_TOKENS_MAX });
    onCachePurge((tags) => cache.purge(tags));
    verifiedHolder.__artdagVerifiedTokens = cache;
  }
  return verifiedHolder.__artdagVerifiedTokens;
}

export interface PurgeSubscription {
  /** Whether every purge reaches this process, and the barrier that proves it (lib/cache/verified). */
  feed: PurgeFeed;
  close(): Promise<void>;
}

/** The listener's application_name (pg_stat_activity). */
export const PURGE_LISTENER_NAME = "artdag-purge-listener";

/** How long the barrier waits for the listener's answer before the connection is given up. */
const SYNC_TIMEOUT_MS = 2000;

/**
 * LISTENs for purges on PostgreSQL with a dedicated connection (a pooled one would be handed back
 * and lose the LISTEN) and delivers them to this process. A lost connection is remade after a pause;
 * whatever changed in between is bounded by max-age, and `onReconnect` lets the caller drop the
 * whole cache since a notification may have been missed; `onDown` is called the moment the
 * connection is known lost (caches of positive answers must stop answering then).
 *
 * `feed.sync()` is a barrier: a `SELECT 1` on the listening connection. PostgreSQL signals every
 * listener before a NOTIFYing transaction's commit is acknowledged, and a listening session sends
 * the notifications it was signalled before the ReadyForQuery of its next query; so when the barrier
 * resolves true, every purge committed before it was called has been delivered here. Concurrent
 * callers share one query (a caller never shares one sent before it arrived).
 */
export function listenForCachePurges(
  url: string,
  options: {
    onReconnect?: () => void;
    onDown?: () => void;
    log?: (message: string) => void;
    retryMs?: number;
    /** Where received purges go; this process's listeners by default. */
    deliver?: (tags: string[]) => void;
  } = {},
): PurgeSubscription {
  const deliver = options.deliver ?? deliverCachePurge;
  const log = options.log ?? ((message: string) => getLogger().warn({ component: "cache" }, message));
  const retryMs = options.retryMs ?? 1000;
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let connectedBefore = false;
  /** The client whose LISTEN is in place, while it is. */
  let listening: pg.Client | null = null;
  /** Gives up the current connection (once) and schedules the next. */
  let drop: (why: string) => void = () => {};

  const down = (c: pg.Client) => {
    const was = listening === c;
    if (was) listening = null;
    if (was) options.onDown?.();
  };

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      query_timeout: SYNC_TIMEOUT_MS,
      application_name: PURGE_LISTENER_NAME,
    });
    client = c;
    c.on("notification", (message) => {
      if (message.channel === CACHE_PURGE_CHANNEL) deliver(parsePurgePayload(message.payload));
    });
    let gone = false;
    const lost = (why: string) => {
      if (client !== c || closed || gone) return;
      gone = true;
      down(c);
      log(`the purge listener ${why}; reconnecting`);
      c.end().catch(() => {});
      retry();
    };
    drop = lost;
    c.on("error", (err) => lost(`lost its connection (${err.message})`));
    c.on("end", () => lost("lost its connection (closed)"));
    try {
      await c.connect();
      await c.query(`LISTEN ${CACHE_PURGE_CHANNEL}`);
      if (closed) return void (await c.end().catch(() => {}));
      if (connectedBefore) options.onReconnect?.();
      connectedBefore = true;
      if (client === c) listening = c;
    } catch (err) {
      lost(`cannot connect (${(err as Error).message})`);
    }
  }

  // The barrier: one query in flight at a time; callers arriving meanwhile share the next one.
  let previous: Promise<unknown> = Promise.resolve();
  let next: Promise<boolean> | null = null;
  function sync(): Promise<boolean> {
    if (!listening) return Promise.resolve(false);
    if (next) return next;
    const p = previous.then(async () => {
      next = null;
      const c = listening;
      if (!c) return false;
      try {
        await c.query("SELECT 1");
        return listening === c;
      } catch (err) {
        // No answer in time (or an error): the connection cannot be trusted to have delivered
        // everything; drop it and start afresh.
        if (client === c) drop(`did not answer (${(err as Error).message})`);
        return false;
      }
    });
    next = p;
    previous = p;
    return p;
  }

  void connect();
  return {
    feed: { live: () => listening !== null, sync },
    async close() {
      closed = true;
      listening = null;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
