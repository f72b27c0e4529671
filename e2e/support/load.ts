// Concurrent writers for the fault tests (faults-*.spec.ts): clients registering assets with
// `POST /assets` as fast as they are answered, each write recorded with what came back (or that
// nothing did), and the checks that every acknowledged write is whole after a crash or an outage.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";
import { logEntries } from "./logs";
import { artDagSignatureVerifies, randomHash, uniqueName, type Activity, type ActivitySummary, type AssetView, type Page } from "./registry";

/** One registration attempt and its outcome. */
export interface Write {
  writer: number;
  username: string;
  name: string;
  contentHash: string;
  /** The HTTP status, or null when no answer came (connection refused or cut). */
  status: number | null;
  /** The JSON answer, if any. */
  body: Record<string, unknown> | null;
  /** Why there was no answer, or the answer's text when it was not JSON. */
  error: string | null;
  /** The Retry-After header of the answer, if any. */
  retryAfter: string | null;
  /** When the request was sent and when it ended (answered or failed), ms since the epoch. */
  sentAt: number;
  endedAt: number;
}

export interface WriterUser {
  username: string;
  token: string;
}

export interface Writers {
  /** Every attempt so far, in the order they were answered (or failed). */
  writes: Write[];
  /** The attempts acknowledged with a 2xx. */
  acked(): Write[];
  /** Stops every writer after its current request and waits for them. */
  stop(): Promise<void>;
}

/** Generous bound on one request: a request that never answers fails the test as a hang. */
export const REQUEST_BOUND_MS = 60_000;

/**
 * Starts `count` writers against `baseUrl`, writer i as users[i % users.length], each registering
 * one asset after another until stopped. A write that gets no answer is recorded with status null;
 * the writer goes on (the server may be back for its next write).
 */
export function startWriters(baseUrl: string, users: WriterUser[], count = 8, pauseAfterFailureMs = 200): Writers {
  const writes: Write[] = [];
  let stopping = false;
  const loops = Array.from({ length: count }, async (_, writer) => {
    const user = users[writer % users.length];
    while (!stopping) {
      const name = uniqueName(`w${writer}`);
      const contentHash = randomHash();
      const write: Write = {
        writer,
        username: user.username,
        name,
        contentHash,
        status: null,
        body: null,
        error: null,
        retryAfter: null,
        sentAt: Date.now(),
        endedAt: 0,
      };
      try {
        const res = await fetch(`${baseUrl}/assets`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ name, content_hash: contentHash, asset_type: "image", tags: ["fault-test"] }),
          signal: AbortSignal.timeout(REQUEST_BOUND_MS),
        });
        write.status = res.status;
        write.retryAfter = res.headers.get("retry-after");
        const text = await res.text();
        try {
          write.body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          write.error = text.slice(0, 500);
        }
      } catch (err) {
        write.status = null;
        write.error =
          err instanceof Error ? `${err.name}: ${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ""}` : String(err);
      }
      write.endedAt = Date.now();
      writes.push(write);
      if (write.status === null || write.status >= 500) await new Promise((r) => setTimeout(r, pauseAfterFailureMs));
    }
  });
  return {
    writes,
    acked: () => writes.filter((w) => w.status !== null && w.status >= 200 && w.status < 300),
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** Waits until `check` returns true (polling every 250 ms), or fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function getJson(baseUrl: string, pathname: string): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${baseUrl}${pathname}`, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

/** Every item of a keyset-paged list (walking next_cursor). */
export async function walkAll<T>(baseUrl: string, pathname: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const sep = pathname.includes("?") ? "&" : "?";
    const r = await getJson(baseUrl, `${pathname}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status, `${pathname}: ${r.text.slice(0, 300)}`).toBe(200);
    const page = r.json as Page<T>;
    items.push(...page.items);
    cursor = page.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error(`${pathname} did not end`);
}

export interface Delivery {
  target: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

/** GET /activities/{ref}/deliveries. */
export async function deliveriesOf(baseUrl: string, ref: string): Promise<Delivery[]> {
  const r = await getJson(baseUrl, `/activities/${encodeURIComponent(ref)}/deliveries`);
  expect(r.status, `deliveries of ${ref}: ${r.text.slice(0, 300)}`).toBe(200);
  return (r.json as { deliveries: Delivery[] }).deliveries;
}

/**
 * Waits until each activity of `activityIds` has exactly one delivery, and it is `delivered`. On a
 * timeout the error names every one that is not, with its state, attempts, last status and last
 * error, and the server's own warnings and errors about its queue (`output`, its log), so a stuck
 * delivery says where it is stuck.
 */
export async function untilDelivered(baseUrl: string, activityIds: string[], timeoutMs: number, output?: () => string): Promise<void> {
  const pending = async () => {
    const left: string[] = [];
    for (const id of activityIds) {
      const d = await deliveriesOf(baseUrl, id);
      if (d.length !== 1 || d[0].state !== "delivered") left.push(`${id}: ${JSON.stringify(d)}`);
    }
    return left;
  };
  try {
    await until("every delivery delivered", async () => (await pending()).length === 0, timeoutMs);
  } catch (err) {
    const queue = output
      ? logEntries(output()).filter((e) => (e.level === "warn" || e.level === "error") && (e.component === "jobs" || e.component === "console"))
      : [];
    throw new Error(
      `${(err as Error).message}; not delivered:\n${(await pending()).join("\n")}` +
        (queue.length ? `\nthe queue's warnings and errors:\n${queue.map((e) => JSON.stringify(e)).join("\n")}` : ""),
    );
  }
}

/** The server's published RSA public key of `username` (from its data folder). */
export function publicKeyIn(dataDir: string, username: string): string {
  return readFileSync(path.join(dataDir, "keys", `${username}.pub`), "utf8");
}

export interface RegistryState {
  /** Every published activity's summary, by the name of the asset its object names. */
  activitiesByName: Map<string, ActivitySummary[]>;
  /** Every asset, by name. */
  assetsByName: Map<string, AssetView[]>;
}

/** Reads every activity and every asset the server lists. */
export async function readRegistry(baseUrl: string): Promise<RegistryState> {
  const activities = await walkAll<ActivitySummary>(baseUrl, "/activities");
  const assets = await walkAll<AssetView>(baseUrl, "/assets");
  const activitiesByName = new Map<string, ActivitySummary[]>();
  for (const a of activities) if (a.object_name) activitiesByName.set(a.object_name, [...(activitiesByName.get(a.object_name) ?? []), a]);
  const assetsByName = new Map<string, AssetView[]>();
  for (const a of assets) assetsByName.set(a.name, [...(assetsByName.get(a.name) ?? []), a]);
  return { activitiesByName, assetsByName };
}

/**
 * The registration of `write` is whole: the asset exactly once, its one `Create` served by
 * GET /activities/{ref} with a signature that verifies, and one delivery per follower inbox
 * (`inboxes`) recorded for it. With the write's answer (a 2xx), the stored asset and activity are
 * the ones it was told about.
 */
export async function expectWhole(baseUrl: string, dataDir: string, state: RegistryState, write: Write, inboxes: string[]): Promise<void> {
  const label = `${write.name} (status ${write.status})`;
  const assets = state.assetsByName.get(write.name) ?? [];
  expect(assets.length, `${label}: the asset is listed exactly once`).toBe(1);
  const asset = assets[0];
  expect(asset).toMatchObject({ name: write.name, content_hash: write.contentHash, owner: write.username });
  const activities = state.activitiesByName.get(write.name) ?? [];
  expect(
    activities.map((a) => a.activity_id),
    `${label}: exactly one activity names it`,
  ).toEqual([asset.activity_id]);

  const one = await getJson(baseUrl, `/assets/${encodeURIComponent(write.name)}`);
  expect(one.status, `${label}: GET /assets/{name}`).toBe(200);
  expect(one.json).toEqual(asset);

  const served = await getJson(baseUrl, `/activities/${asset.activity_id}`);
  expect(served.status, `${label}: GET /activities/{id}`).toBe(200);
  const activity = served.json as Activity;
  expect(activity).toMatchObject({ type: "Create", actor: `${baseUrl}/users/${write.username}` });
  expect(activity.object).toMatchObject({ name: write.name, contentHash: { algorithm: "sha3-256", value: write.contentHash } });
  expect(artDagSignatureVerifies(activity, publicKeyIn(dataDir, write.username)), `${label}: its signature verifies`).toBe(true);
  const byIndex = await getJson(baseUrl, `/activities/${activities[0].index}`);
  expect(byIndex.json, `${label}: by publication index too`).toEqual(activity);

  if (write.body) {
    const answered = write.body as { asset: AssetView; activity: Activity };
    expect(answered.asset, `${label}: the stored asset is the one acknowledged`).toEqual(asset);
    expect(answered.activity, `${label}: the served activity is the one acknowledged`).toEqual(activity);
  }

  const deliveries = await deliveriesOf(baseUrl, asset.activity_id);
  expect(deliveries.map((d) => d.target).sort(), `${label}: one delivery per follower inbox`).toEqual([...inboxes].sort());
}

/** The write left nothing at all: no asset, no activity naming it. */
export async function expectAbsent(baseUrl: string, state: RegistryState, write: Write): Promise<void> {
  expect(state.assetsByName.get(write.name), `${write.name}: no asset`).toBeUndefined();
  expect(state.activitiesByName.get(write.name), `${write.name}: no activity`).toBeUndefined();
  const one = await getJson(baseUrl, `/assets/${encodeURIComponent(write.name)}`);
  expect(one.status).toBe(404);
}

/** Summary of the writes for messages: status → count. */
export function tally(writes: Write[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of writes) {
    const key = w.status === null ? "no answer" : String(w.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** One answer of a reader. */
export interface Read {
  path: string;
  status: number | null;
  body: Record<string, unknown> | null;
  error: string | null;
  sentAt: number;
  endedAt: number;
}

/**
 * Readers that GET each of `paths` in turn (JSON, with `headers`) until stopped, recording every
 * answer: the API's read side under the same fault as the writers.
 */
export function startReaders(baseUrl: string, paths: string[], headers: Record<string, string> = {}, count = 2) {
  const reads: Read[] = [];
  let stopping = false;
  const loops = Array.from({ length: count }, async (_, reader) => {
    for (let i = reader; !stopping; i++) {
      const path = paths[i % paths.length];
      const read: Read = { path, status: null, body: null, error: null, sentAt: Date.now(), endedAt: 0 };
      try {
        const res = await fetch(`${baseUrl}${path}`, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(REQUEST_BOUND_MS) });
        read.status = res.status;
        const text = await res.text();
        try {
          read.body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          read.error = text.slice(0, 300);
        }
      } catch (err) {
        read.error = err instanceof Error ? err.message : String(err);
      }
      read.endedAt = Date.now();
      reads.push(read);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  return {
    reads,
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}
