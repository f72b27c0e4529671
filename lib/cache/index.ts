// Purging the front door's response cache (design/serving.md §2): the tags that name what a public
// document shows, and the one call a write makes when it changes such a document. A purge is a
// PostgreSQL `NOTIFY artdag_cache` — sent inside the write's transaction where there is one, so it is
// delivered only when the write commits, and to every replica listening on the same database (and
// to this process: the front door listens too; on PGlite the runtime relays it). Framework-free.
import pg from "pg";

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
} as const;

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
  await db.$executeRaw`SELECT pg_notify(${CACHE_PURGE_CHANNEL}, ${JSON.stringify(unique)})`;
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

export interface PurgeSubscription {
  close(): Promise<void>;
}

/**
 * LISTENs for purges on PostgreSQL with a dedicated connection (a pooled one would be handed back
 * and lose the LISTEN) and delivers them to this process. A lost connection is remade after a pause;
 * whatever changed in between is bounded by max-age, and `onReconnect` lets the caller drop the
 * whole cache since a notification may have been missed.
 */
export function listenForCachePurges(
  url: string,
  options: {
    onReconnect?: () => void;
    log?: (message: string) => void;
    retryMs?: number;
    /** Where received purges go; this process's listeners by default. */
    deliver?: (tags: string[]) => void;
  } = {},
): PurgeSubscription {
  const deliver = options.deliver ?? deliverCachePurge;
  const log = options.log ?? ((message: string) => console.warn(message));
  const retryMs = options.retryMs ?? 1000;
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let connectedBefore = false;

  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true });
    client = c;
    c.on("notification", (message) => {
      if (message.channel === CACHE_PURGE_CHANNEL) deliver(parsePurgePayload(message.payload));
    });
    c.on("error", (err) => {
      log(`[cache] the purge listener lost its connection (${err.message}); reconnecting`);
      c.end().catch(() => {});
      if (client === c) retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CACHE_PURGE_CHANNEL}`);
      if (closed) return void (await c.end().catch(() => {}));
      if (connectedBefore) options.onReconnect?.();
      connectedBefore = true;
    } catch (err) {
      c.end().catch(() => {});
      if (!closed) log(`[cache] the purge listener cannot connect (${(err as Error).message}); retrying`);
      if (client === c) retry();
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
