import { randomUUID } from "node:crypto";
import { z } from "zod";
import { cacheTag, purgeCache } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { parseJson } from "@/lib/http";
import { checkBodyDigest, verifyRequestSignature, type SignedRequest, type VerifyFailure } from "@/lib/http-signatures";
import { getUserOrThrow, USERNAME_PATTERN } from "@/lib/accounts";
import { AS_CONTEXT } from "./documents";
import { enqueueDeliveries } from "./delivery";
import { fetchRemoteActor, resolveRemoteKey } from "./remote";
import { actorUrl as actorUrlOf, usernameOfActorUrl } from "@/lib/urls";

/** A POST to an inbox: the raw bytes are read once by the route and handed over here. */
type InboxPost = SignedRequest & { body: Uint8Array };

/** Signature window for inbound requests (protocols.md §2: ±1 hour). */
const INBOX_CLOCK_SKEW_SECONDS = 3600;

const idRef = z.union([z.string(), z.object({ id: z.string() }).transform((o) => o.id)]);
const inboundActivity = z.object({
  id: z.string().min(1).max(2048),
  type: z.string().min(1).max(64),
  actor: idRef,
  object: z.unknown().optional(),
});

export type InboxOutcome =
  | { result: "followed"; follower: string; username: string }
  | { result: "unfollowed"; follower: string; username: string }
  | { result: "duplicate" }
  | { result: "ignored"; type: string };

function unauthorized(message: string): AppError {
  return new AppError("unauthorized", message);
}

/** Why a signature failed, in words a peer can act on (the verifier's reasons are terse). */
function describeFailure(result: VerifyFailure, problem: string | undefined): string {
  const keyProblem = problem?.replace(/\.+$/, "");
  switch (result.reason) {
    case "wrong_authority":
      return `The HTTP signature is for another server (${result.detail ?? "another host"}).`;
    case "unknown_key":
      return `The HTTP signature's key is not proved to be its owner's${keyProblem ? `: ${keyProblem}` : ""}.`;
    case "missing_required_header":
      return `The HTTP signature does not cover what it must (${result.detail ?? result.reason}).`;
    default:
      return `The HTTP signature does not verify (${result.reason}${keyProblem ? `; ${keyProblem}` : ""}).`;
  }
}

/**
 * Verifies the request's HTTP signature (draft-cavage or RFC 9421) and body digest, with the key
 * fetched by keyId (cached; refetched once when a cached key fails), and returns the key's proved
 * owner (resolveRemoteKey). The signature must be made for this server: it must cover the host
 * (cavage `host`, RFC 9421 `@authority`/`@target-uri`) and verify with our own authority
 * (ARTDAG_DOMAIN), whatever Host header a proxy passed on.
 * @throws AppError unauthorized
 */
async function verifySender(ctx: AppContext, req: InboxPost): Promise<string> {
  const digest = checkBodyDigest(req.headers, req.body);
  if (!digest.ok) throw unauthorized(`The body digest is ${digest.reason === "missing" ? "missing" : "wrong"} (Digest or Content-Digest).`);
  // The owner proved for each keyId tried, and why a key could not be proved (for the 401).
  const owners = new Map<string, string>();
  let keyProblem: string | undefined;
  const resolve = (refresh: boolean) => async (keyId: string) => {
    const key = await resolveRemoteKey(ctx, keyId, { refresh });
    if (!key.ok) {
      owners.delete(keyId);
      keyProblem = key.reason;
      return null;
    }
    owners.set(keyId, key.owner);
    return key.publicKey;
  };
  const result = await verifyRequestSignature(
    { method: req.method, url: req.url, headers: req.headers },
    {
      now: ctx.now(),
      maxSkewSeconds: INBOX_CLOCK_SKEW_SECONDS,
      hasBody: true,
      expectedAuthority: new URL(ctx.config.baseUrl).host,
      resolveKey: resolve(false),
      // A cached key that fails is fetched (and its ownership confirmed) again once: key rotation.
      refreshKey: resolve(true),
    },
  );
  if (!result.ok) throw unauthorized(describeFailure(result, keyProblem));
  const owner = owners.get(result.keyId);
  if (!owner) throw unauthorized("The HTTP signature's key has no proved owner.");
  return owner;
}

/**
 * Where an activity names who made what it carries, it must be the signer: the embedded object's
 * `attributedTo` (a string, `{id}` or an array of them) and its `actor` (an Undo's Follow).
 * @throws AppError unauthorized
 */
function assertEmbeddedAuthorship(activity: z.infer<typeof inboundActivity>): void {
  const object = activity.object;
  if (typeof object !== "object" || object === null || Array.isArray(object)) return;
  const fields = object as Record<string, unknown>;
  for (const field of ["attributedTo", "actor"] as const) {
    if (!Object.hasOwn(fields, field)) continue;
    const value = fields[field];
    const refs = Array.isArray(value) ? value : [value];
    for (const ref of refs) {
      const id = idRef.safeParse(ref);
      if (!id.success || id.data !== activity.actor) {
        const named = id.success ? id.data.slice(0, 200) : "something that is not an actor id";
        throw unauthorized(`The embedded object's ${field} is ${named}, not the signing actor ${activity.actor.slice(0, 200)}.`);
      }
    }
  }
}

function localUsername(ctx: AppContext, actorUrl: unknown): string | null {
  if (typeof actorUrl !== "string") return null;
  const name = usernameOfActorUrl(ctx, actorUrl);
  return name !== null && USERNAME_PATTERN.test(name) ? name : null;
}

/**
 * Handles a POST to a user's inbox (`inboxOwner`) or the shared inbox (null) — product.md §4:
 * signature and digest first (401), then the inbox's owner must exist (404); the key's owner must
 * be the activity's actor, a repeated id is a no-op; Follow → follower stored and a signed Accept
 * delivered; Undo{Follow} → removed; anything else accepted and ignored. Each accepted activity is
 * kept in the inbox of the user it concerns (GET /users/{u}/inbox).
 * @throws AppError malformed_json, invalid_request, unauthorized, not_found
 */
export async function receiveActivity(ctx: AppContext, req: InboxPost, inboxOwner: string | null): Promise<InboxOutcome> {
  if (inboxOwner !== null && !USERNAME_PATTERN.test(inboxOwner)) throw noSuchUser(inboxOwner);
  // The sender signed our public URL; behind a proxy the request URL may name another host (and
  // the Host header too: verifySender verifies with our own authority).
  const received = new URL(req.url);
  const signer = await verifySender(ctx, { ...req, url: `${ctx.config.baseUrl}${received.pathname}${received.search}` });
  const json = parseJson(req.body);
  const parsed = inboundActivity.safeParse(json);
  if (!parsed.success) throw new AppError("invalid_request", "The body is not an ActivityPub activity (id, type and actor are required).");
  const activity = parsed.data;
  if (activity.actor !== signer) throw unauthorized(`The signing key's owner (${signer.slice(0, 200)}) is not the activity's actor.`);
  assertEmbeddedAuthorship(activity);

  // Everything but a Follow or an Undo is only kept: the owner check, the de-duplication and the
  // inbox item in one statement.
  if (activity.type !== "Follow" && activity.type !== "Undo") return keepActivity(ctx, activity, req.body, inboxOwner);

  if (inboxOwner !== null) await getUserOrThrow(ctx, inboxOwner);
  try {
    await ctx.prisma.inboxSeen.create({ data: { activityId: activity.id } });
  } catch (err) {
    if (isUniqueViolation(err)) return { result: "duplicate" };
    throw err;
  }

  try {
    const outcome = await handleActivity(ctx, activity, inboxOwner);
    await storeInboxItem(ctx, outcome.result === "followed" || outcome.result === "unfollowed" ? outcome.username : inboxOwner, activity, req.body);
    return outcome;
  } catch (err) {
    // Not processed after all: forget the id, so the sender's retry is handled, not a "duplicate".
    await ctx.prisma.inboxSeen.deleteMany({ where: { activityId: activity.id } });
    throw err;
  }
}

function noSuchUser(username: string): AppError {
  return new AppError("not_found", `There is no user ${username}.`);
}

/**
 * An activity that is accepted and ignored: its id recorded as seen and, posted to a user's inbox,
 * kept there — one statement, nothing written when the owner does not exist (404) or the id was
 * seen before (a duplicate).
 */
async function keepActivity(ctx: AppContext, activity: z.infer<typeof inboundActivity>, body: Uint8Array, inboxOwner: string | null): Promise<InboxOutcome> {
  const text = new TextDecoder().decode(body);
  const [row] = await ctx.prisma.$queryRaw<{ owner_exists: boolean; kept: number }[]>`
    WITH owner AS (
      SELECT (${inboxOwner}::text IS NULL OR EXISTS (SELECT 1 FROM users WHERE username = ${inboxOwner}::text)) AS owner_exists
    ), seen AS (
      INSERT INTO inbox_seen (activity_id) SELECT ${activity.id} FROM owner WHERE owner_exists
      ON CONFLICT (activity_id) DO NOTHING
      RETURNING activity_id
    ), item AS (
      INSERT INTO inbox_items (username, activity_id, type, actor, body, received_at)
      SELECT ${inboxOwner}::text, activity_id, ${activity.type}, ${activity.actor}, ${text}, ${ctx.now()}
      FROM seen WHERE ${inboxOwner}::text IS NOT NULL
      ON CONFLICT (username, activity_id) DO NOTHING
    )
    SELECT (SELECT owner_exists FROM owner) AS owner_exists, (SELECT count(*) FROM seen)::int AS kept`;
  if (!row.owner_exists) throw noSuchUser(inboxOwner ?? "");
  if (row.kept === 0) return { result: "duplicate" };
  return { result: "ignored", type: activity.type };
}

/**
 * Keeps an accepted activity in the inbox of the user it concerns (the Follow/Undo target, or the
 * owner of the inbox it was posted to), readable by that user and their client keys; once per id.
 */
async function storeInboxItem(ctx: AppContext, username: string | null, activity: z.infer<typeof inboundActivity>, body: Uint8Array): Promise<void> {
  if (!username) return;
  await ctx.prisma.inboxItem.upsert({
    where: { username_activityId: { username, activityId: activity.id } },
    create: { username, activityId: activity.id, type: activity.type, actor: activity.actor, body: new TextDecoder().decode(body), receivedAt: ctx.now() },
    update: {},
  });
}

async function handleActivity(ctx: AppContext, activity: z.infer<typeof inboundActivity>, inboxOwner: string | null): Promise<InboxOutcome> {
  if (activity.type === "Follow") return acceptFollow(ctx, activity, inboxOwner);
  if (activity.type === "Undo") {
    const inner = z.object({ type: z.literal("Follow"), object: idRef, id: z.string().optional() }).safeParse(activity.object);
    if (inner.success) {
      const username = localUsername(ctx, inner.data.object);
      if (username) {
        const removed = await ctx.prisma.follower.deleteMany({ where: { username, actor: activity.actor } });
        if (removed.count > 0) await purgeCache(ctx.prisma, [cacheTag.collection(username, "followers")]);
        return { result: "unfollowed", follower: activity.actor, username };
      }
    }
  }
  return { result: "ignored", type: activity.type };
}

async function acceptFollow(ctx: AppContext, follow: z.infer<typeof inboundActivity>, inboxOwner: string | null): Promise<InboxOutcome> {
  const objectId = idRef.safeParse(follow.object);
  const username = objectId.success ? localUsername(ctx, objectId.data) : null;
  if (!username || (inboxOwner !== null && username !== inboxOwner)) {
    throw new AppError("invalid_request", "The Follow's object is not an actor of this inbox.");
  }
  await getUserOrThrow(ctx, username);
  const remote = await fetchRemoteActor(ctx, follow.actor);
  if (!remote) throw new AppError("invalid_request", `The follower ${follow.actor} could not be fetched.`);
  const actor = actorUrlOf(ctx, username);
  const accept = {
    "@context": AS_CONTEXT,
    id: `${actor}#accepts/${randomUUID()}`,
    type: "Accept",
    actor,
    object: { id: follow.id, type: "Follow", actor: follow.actor, object: actor },
    to: [follow.actor],
  };
  const body = JSON.stringify(accept);
  await ctx.prisma.$transaction(async (tx) => {
    await tx.follower.upsert({
      where: { username_actor: { username, actor: remote.id } },
      create: { username, actor: remote.id, inbox: remote.inbox, sharedInbox: remote.sharedInbox, followActivityId: follow.id },
      update: { inbox: remote.inbox, sharedInbox: remote.sharedInbox, followActivityId: follow.id },
    });
    await enqueueDeliveries(ctx, tx, { url: accept.id, actor: username, body }, [remote.inbox]);
    await purgeCache(tx, [cacheTag.collection(username, "followers")]);
  });
  return { result: "followed", follower: remote.id, username };
}

/** How long processed activity ids are remembered for de-duplication. */
const INBOX_SEEN_DAYS = 30;

/** Forgets processed activity ids older than INBOX_SEEN_DAYS. */
export async function cleanupInboxSeen(ctx: AppContext): Promise<number> {
  const r = await ctx.prisma.inboxSeen.deleteMany({ where: { receivedAt: { lt: new Date(ctx.now().getTime() - INBOX_SEEN_DAYS * 86_400_000) } } });
  return r.count;
}
