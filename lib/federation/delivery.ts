import { z } from "zod";
import { cacheTag, purgeCache } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { privateKeyFromPem, readActorPrivateKey } from "@/lib/crypto";
import type { Prisma } from "@/lib/db";
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
  for (const row of rows) await ctx.jobs.send(DELIVER_JOB, { delivery_id: row.id }, { tx });
  return rows.length;
}

/** The inboxes a user's activity goes to: one per shared inbox, else each follower's own inbox. */
export async function followerInboxes(db: Tx | AppContext["prisma"], username: string): Promise<string[]> {
  const followers = await db.follower.findMany({ where: { username }, select: { inbox: true, sharedInbox: true } });
  return [...new Set(followers.map((f) => f.sharedInbox ?? f.inbox))];
}

/**
 * Sends one recorded delivery, signed with the actor's RSA key: RFC 9421 first, and on a 4xx the
 * draft-cavage signature (the "double knock"). 2xx → delivered; 404/410 → gone, and followers whose
 * own inbox it was are removed; anything else throws so the queue retries with backoff, until
 * MAX_DELIVERY_ATTEMPTS marks it failed. Idempotent: a delivered or gone row is not sent again.
 */
export async function performDelivery(ctx: AppContext, deliveryId: number): Promise<void> {
  const d = await ctx.prisma.delivery.findUnique({ where: { id: deliveryId } });
  if (!d || d.state === "delivered" || d.state === "gone" || d.state === "failed") return;
  const pem = await readActorPrivateKey(ctx.config.keysDir, d.actor);
  if (!pem) throw new Error(`no private key for ${d.actor}`);
  const privateKey = privateKeyFromPem(pem);
  const keyId = actorKeyId(ctx, d.actor);

  let status: number | null = null;
  let error: string | null = null;
  for (const spec of ["rfc9421", "draft-cavage"] as const) {
    const headers = new Headers({ "content-type": "application/activity+json", accept: "application/activity+json" });
    const signed = signRequest({ method: "POST", url: d.target, headers, body: d.body }, { privateKey, keyId, spec, now: ctx.now() });
    const res = await safeFetch(d.target, {
      method: "POST",
      headers: Object.fromEntries(signed.entries()),
      body: d.body,
      timeoutMs: 15_000,
      maxBytes: 64 * 1024,
      allowPrivateAddresses: ctx.config.federationAllowPrivateAddresses,
    });
    if (!res.ok) {
      status = null;
      error = res.message;
      break;
    }
    status = res.status;
    error = res.status >= 400 ? `HTTP ${res.status}` : null;
    // Only a refusal that may be about the signature scheme is worth a second knock.
    if (!(res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 410)) break;
  }

  const attempts = d.attempts + 1;
  if (status !== null && status >= 200 && status < 300) {
    await ctx.prisma.delivery.update({ where: { id: d.id }, data: { state: "delivered", attempts, lastStatus: status, lastError: null, deliveredAt: ctx.now() } });
    return;
  }
  if (status === 404 || status === 410) {
    const [, removed] = await ctx.prisma.$transaction([
      ctx.prisma.delivery.update({ where: { id: d.id }, data: { state: "gone", attempts, lastStatus: status, lastError: error } }),
      // Only followers whose own inbox vanished: a shared inbox failing says nothing about each follower.
      ctx.prisma.follower.deleteMany({ where: { username: d.actor, inbox: d.target } }),
    ]);
    if (removed.count > 0) await purgeCache(ctx.prisma, [cacheTag.collection(d.actor, "followers")]);
    return;
  }
  const final = attempts >= MAX_DELIVERY_ATTEMPTS;
  await ctx.prisma.delivery.update({ where: { id: d.id }, data: { state: final ? "failed" : "pending", attempts, lastStatus: status, lastError: error } });
  if (!final) throw new Error(`delivery ${d.id} to ${d.target}: ${error}`);
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
