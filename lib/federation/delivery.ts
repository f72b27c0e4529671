import { z } from "zod";
import type { AppContext } from "@/lib/context";
import { privateKeyFromPem, readActorPrivateKey } from "@/lib/crypto";
import type { Prisma } from "@/lib/db";
import { cacheTag, purgeCache } from "@/lib/cache";
import { recordDeliveries, type DeliveryOutcome } from "@/lib/metrics";
import { safeFetch } from "@/lib/outbound";
import { signRequest } from "@/lib/http-signatures";
import { actorKeyId } from "@/lib/urls";

type Tx = Prisma.TransactionClient;

/** The queue of outbound deliveries (one job per delivery row). */
export const DELIVER_JOB = "deliver";
/** Attempts before a delivery is given up as failed (pg-boss retries with exponential backoff). */
export const MAX_DELIVERY_ATTEMPTS = 10;

export const deliverPayload = z.object({ delivery_id: z.number().int().positive() });

export interface DeliveryView {
  target: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  updated_at: string;
  delivered_at: string | null;
}

/**
 * Records one delivery per target inbox and enqueues them, inside the caller's transaction, so an
 * activity and its deliveries are written together (nothing is sent for a rolled-back change).
 */
export async function enqueueDeliveries(
  ctx: AppContext,
  tx: Tx,
  activity: { url: string; activityId?: string | null; actor: string; body: string },
  targets: string[],
): Promise<number> {
  const unique = [...new Set(targets)];
  if (unique.length === 0) return 0;
  const rows = await tx.delivery.createManyAndReturn({
    data: unique.map((target) => ({ activityUrl: activity.url, activityId: activity.activityId ?? null, actor: activity.actor, target, body: activity.body })),
    skipDuplicates: true,
    select: { id: true },
  });
  const jobs = rows.map((row) => ({ delivery_id: row.id }));
  if (ctx.jobs.sendMany) await ctx.jobs.sendMany(DELIVER_JOB, jobs, { tx });
  else for (const job of jobs) await ctx.jobs.send(DELIVER_JOB, job, { tx });
  return rows.length;
}

/**
 * The inboxes a user's activity goes to: one per shared inbox, else each follower's own inbox, in
 * the order the followers came. Deduplicated by the database, so a thousand followers behind a
 * hundred shared inboxes cost a hundred rows, not a thousand.
 */
export async function followerInboxes(db: Tx | AppContext["prisma"], username: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ inbox: string }[]>`
    SELECT COALESCE(shared_inbox, inbox) AS inbox FROM followers WHERE username = ${username}
    GROUP BY 1 ORDER BY MIN(id)`;
  return rows.map((r) => r.inbox);
}

/** Deliveries of one batch sent at once (each a request of at most 2 × 15 s, see the job's expiry). */
const DELIVERY_CONCURRENCY = 10;

type DeliveryRow = Prisma.DeliveryGetPayload<true>;
type Signer = { privateKey: ReturnType<typeof privateKeyFromPem>; keyId: string };

/** What one send came to: an HTTP status, or a network failure (status null) with its message. */
interface SendOutcome {
  status: number | null;
  error: string | null;
}

/**
 * One signature per request, RFC 9421 first, and on a 4xx the draft-cavage signature (the "double
 * knock"). The connection comes from safeFetch's per-origin keep-alive pool (undici's Agent).
 */
async function send(ctx: AppContext, d: DeliveryRow, signer: Signer): Promise<SendOutcome> {
  let outcome: SendOutcome = { status: null, error: null };
  for (const spec of ["rfc9421", "draft-cavage"] as const) {
    const headers = new Headers({ "content-type": "application/activity+json", accept: "application/activity+json" });
    const signed = signRequest({ method: "POST", url: d.target, headers, body: d.body }, { ...signer, spec, now: ctx.now() });
    const res = await safeFetch(d.target, {
      method: "POST",
      headers: Object.fromEntries(signed.entries()),
      body: d.body,
      timeoutMs: 15_000,
      maxBytes: 64 * 1024,
      allowPrivateAddresses: ctx.config.federationAllowPrivateAddresses,
    });
    if (!res.ok) return { status: null, error: res.message };
    outcome = { status: res.status, error: res.status >= 400 ? `HTTP ${res.status}` : null };
    // Only a refusal that may be about the signature scheme is worth a second knock.
    if (!(res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 410)) break;
  }
  return outcome;
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function eachBounded<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * Sends recorded deliveries, `concurrency` at a time, each signed with its actor's RSA key (read
 * once per actor): 2xx → delivered; 404/410 → gone, and followers whose own inbox it was are
 * removed; anything else is retried with backoff by the queue until MAX_DELIVERY_ATTEMPTS marks it
 * failed. The rows are read in one query and their outcomes written in one batched transaction (the
 * delivered ones in one UPDATE per status). Idempotent: a delivered, gone or failed row is not sent
 * again. Returns, per delivery id to retry, the error the queue records; the others are done.
 */
export async function performDeliveries(ctx: AppContext, deliveryIds: number[], options: { concurrency?: number } = {}): Promise<Map<number, Error>> {
  const rows = await ctx.prisma.delivery.findMany({ where: { id: { in: deliveryIds }, state: "pending" } });
  const signers = new Map<string, Promise<Signer>>();
  const signerOf = (actor: string) => {
    let signer = signers.get(actor);
    if (!signer) {
      signer = readActorPrivateKey(ctx.config.keysDir, actor).then((pem) => {
        if (!pem) throw new Error(`no private key for ${actor}`);
        return { privateKey: privateKeyFromPem(pem), keyId: actorKeyId(ctx, actor) };
      });
      signers.set(actor, signer);
    }
    return signer;
  };

  const outcomes = new Map<number, SendOutcome>();
  const retry = new Map<number, Error>();
  await eachBounded(rows, options.concurrency ?? DELIVERY_CONCURRENCY, async (d) => {
    try {
      outcomes.set(d.id, await send(ctx, d, await signerOf(d.actor)));
    } catch (err) {
      // No key (or no way to sign): nothing was sent, the row stays as it is and the queue retries.
      retry.set(d.id, err instanceof Error ? err : new Error(String(err)));
    }
  });

  const now = ctx.now();
  const deliveredByStatus = new Map<number, number[]>();
  const writes: Prisma.PrismaPromise<unknown>[] = [];
  const followerRemovals: { actor: string; at: number }[] = [];
  const counted = { delivered: 0, retried: 0, failed: 0, gone: 0 };
  for (const d of rows) {
    const outcome = outcomes.get(d.id);
    if (!outcome) continue;
    const { status, error } = outcome;
    const attempts = d.attempts + 1;
    if (status !== null && status >= 200 && status < 300) {
      deliveredByStatus.set(status, [...(deliveredByStatus.get(status) ?? []), d.id]);
      counted.delivered += 1;
    } else if (status === 404 || status === 410) {
      counted.gone += 1;
      writes.push(ctx.prisma.delivery.update({ where: { id: d.id }, data: { state: "gone", attempts, lastStatus: status, lastError: error } }));
      // Only followers whose own inbox vanished: a shared inbox failing says nothing about each follower.
      followerRemovals.push({ actor: d.actor, at: writes.length });
      writes.push(ctx.prisma.follower.deleteMany({ where: { username: d.actor, inbox: d.target } }));
    } else {
      const final = attempts >= MAX_DELIVERY_ATTEMPTS;
      writes.push(
        ctx.prisma.delivery.update({ where: { id: d.id }, data: { state: final ? "failed" : "pending", attempts, lastStatus: status, lastError: error } }),
      );
      if (!final) retry.set(d.id, new Error(`delivery ${d.id} to ${d.target}: ${error}`));
      counted[final ? "failed" : "retried"] += 1;
    }
  }
  for (const [status, ids] of deliveredByStatus) {
    // Only rows still pending: `attempts` is counted up from what each row holds.
    writes.push(
      ctx.prisma.delivery.updateMany({
        where: { id: { in: ids }, state: "pending" },
        data: { state: "delivered", attempts: { increment: 1 }, lastStatus: status, lastError: null, deliveredAt: now },
      }),
    );
  }
  if (writes.length > 0) {
    const results = await ctx.prisma.$transaction(writes);
    // A follower removed changes that actor's followers collection: purge its cached pages.
    const changed = new Set(followerRemovals.filter((r) => (results[r.at] as { count: number }).count > 0).map((r) => r.actor));
    if (changed.size > 0)
      await purgeCache(
        ctx.prisma,
        [...changed].map((actor) => cacheTag.collection(actor, "followers")),
      );
  }
  // Counted once their outcome is written (GET /metrics).
  for (const [outcome, count] of Object.entries(counted)) recordDeliveries(outcome as DeliveryOutcome, count);
  return retry;
}

/**
 * Sends one recorded delivery (see performDeliveries); throws when it is to be retried.
 */
export async function performDelivery(ctx: AppContext, deliveryId: number): Promise<void> {
  const retry = (await performDeliveries(ctx, [deliveryId])).get(deliveryId);
  if (retry) throw retry;
}

/** The deliveries of an activity, for its page and its JSON. */
export async function listDeliveries(ctx: AppContext, activityUrl: string): Promise<DeliveryView[]> {
  const rows = await ctx.prisma.delivery.findMany({ where: { activityUrl }, orderBy: { id: "asc" } });
  return rows.map((r) => ({
    target: r.target,
    state: r.state,
    attempts: r.attempts,
    last_status: r.lastStatus,
    last_error: r.lastError,
    updated_at: r.updatedAt.toISOString(),
    delivered_at: r.deliveredAt ? r.deliveredAt.toISOString() : null,
  }));
}
