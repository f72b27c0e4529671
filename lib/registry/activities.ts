import { randomUUID } from "node:crypto";
import type { AppContext } from "@/lib/context";
import {
  actorMultikeyId,
  createProof,
  DATA_INTEGRITY_CONTEXT,
  ensureActorEd25519Key,
  readActorEd25519Key,
  readActorPrivateKey,
  readActorPublicKey,
  signActivity,
  verifyActivitySignature,
  verifyProof,
  type ProofForm,
} from "@/lib/crypto";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { AssetType } from "./schemas";
import { activityIdOfUrl, activityUrl, actorKeyId, actorUrl, objectUrl } from "@/lib/urls";

const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";
const PUBLIC_COLLECTION = "https://www.w3.org/ns/activitystreams#Public";

type Tx = Prisma.TransactionClient;

/** The JSON of a stored activity, as served. */
export type ActivityJson = Record<string, unknown> & { id: string; type: string; actor: string };

export interface ActivitySummary {
  index: number;
  activity_id: string;
  id: string;
  type: string;
  actor: string;
  published: string;
  object_name: string | null;
  object_id: string | null;
}

export interface ActivityRecord {
  index: number;
  activityId: string;
  actor: string;
  published: string;
  /** The exact stored bytes. */
  body: string;
  json: ActivityJson;
}

const OBJECT_TYPES: Record<AssetType, string> = {
  image: "Image",
  video: "Video",
  audio: "Audio",
  effect: "Application",
  infrastructure: "Application",
  recipe: "Document",
  unknown: "Document",
};

/** protocols.md §1: UTC with second precision and a Z. */
function protocolTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface ClaimObjectFields {
  name: string;
  contentHash: string;
  assetType: AssetType;
  tags: string[];
  metadata: Record<string, unknown>;
  url?: string | null;
  ipfsCid?: string | null;
  provenance?: Record<string, unknown> | null;
}

/**
 * Builds and signs the `Create` that claims an asset (protocols.md §1), ready to store: the signed
 * JSON is produced once here and its bytes are what is served from then on.
 */
export async function buildSignedClaim(
  ctx: AppContext,
  owner: string,
  fields: ClaimObjectFields,
): Promise<{ activityId: string; published: Date; body: string; json: ActivityJson }> {
  const privateKeyPem = await readActorPrivateKey(ctx.config.keysDir, owner);
  if (!privateKeyPem) throw new Error(`the actor ${owner} has no private key in ${ctx.config.keysDir}`);
  const actor = actorUrl(ctx, owner);
  const now = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  const published = protocolTime(now);
  const activityId = randomUUID();
  const object: Record<string, unknown> = {
    type: OBJECT_TYPES[fields.assetType],
    name: fields.name,
    id: objectUrl(ctx, fields.contentHash),
    contentHash: { algorithm: "sha3-256", value: fields.contentHash },
    attributedTo: actor,
    assetType: fields.assetType,
    tags: fields.tags,
    metadata: fields.metadata,
    published,
  };
  if (fields.url) object.url = fields.url;
  if (fields.ipfsCid) object.ipfsCid = fields.ipfsCid;
  if (fields.provenance) object.provenance = fields.provenance;
  const unsigned = {
    // The data-integrity context lets FEP-8b32 verifiers see `proof`; the Art DAG signature still
    // covers the plain ActivityStreams context (protocols.md §1).
    "@context": [AS_CONTEXT, DATA_INTEGRITY_CONTEXT],
    type: "Create",
    id: activityUrl(ctx, activityId),
    actor,
    object,
    published,
    to: [PUBLIC_COLLECTION],
    cc: [`${actor}/followers`],
  };
  // FEP-8b32 order: the proof first, over the document without `signature`; then the Art DAG signature.
  // Created on first use for an actor older than Ed25519 keys; read once when it exists.
  let ed25519 = await readActorEd25519Key(ctx.config.keysDir, owner);
  if (!ed25519) {
    await ensureActorEd25519Key(ctx.config.keysDir, owner);
    ed25519 = await readActorEd25519Key(ctx.config.keysDir, owner);
  }
  if (!ed25519) throw new Error(`the actor ${owner} has no Ed25519 key in ${ctx.config.keysDir}`);
  const proved = createProof(unsigned, {
    privateKey: ed25519.privateKey,
    verificationMethod: actorMultikeyId(actor),
    created: published,
    proofPurpose: "assertionMethod",
  });
  const signed = signActivity(proved, { privateKeyPem, keyId: `${actor}#main-key`, created: published }) as ActivityJson;
  return { activityId, published: now, body: JSON.stringify(signed), json: signed };
}

export interface ActivityToStore {
  activityId: string;
  type: string;
  actor: string;
  body: string;
  published: Date;
}

/**
 * Stores a signed activity with the next publication index. The index comes from MAX+1 under a
 * transaction-scoped advisory lock, so it has no gaps even when a registration rolls back.
 */
export async function storeActivity(tx: Tx, activity: ActivityToStore): Promise<number> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(726173)::text AS locked`;
  const max = await tx.activity.aggregate({ _max: { index: true } });
  const index = (max._max.index ?? 0) + 1;
  await tx.activity.create({
    data: {
      id: activity.activityId,
      index,
      type: activity.type,
      actor: activity.actor,
      body: activity.body,
      published: activity.published,
    },
  });
  return index;
}

function toRecord(row: { id: string; index: number; actor: string; body: string; published: Date }): ActivityRecord {
  return {
    index: row.index,
    activityId: row.id,
    actor: row.actor,
    published: protocolTime(row.published),
    body: row.body,
    json: JSON.parse(row.body) as ActivityJson,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One activity by its 1-based publication index, its id, or its full URL; null when there is none. */
export async function getActivity(ctx: AppContext, ref: string): Promise<ActivityRecord | null> {
  const key = activityIdOfUrl(ctx, ref) ?? ref;
  const select = { id: true, index: true, actor: true, body: true, published: true } as const;
  if (/^\d{1,10}$/.test(key)) {
    // Indexes are INT4: a larger number is no activity (and would fail in the database).
    if (Number(key) > 2_147_483_647) return null;
    const row = await ctx.prisma.activity.findUnique({ where: { index: Number(key) }, select });
    return row ? toRecord(row) : null;
  }
  if (UUID.test(key)) {
    const row = await ctx.prisma.activity.findUnique({ where: { id: key.toLowerCase() }, select });
    return row ? toRecord(row) : null;
  }
  return null;
}

/** Like getActivity, or 404. @throws AppError not_found */
export async function getActivityOrThrow(ctx: AppContext, ref: string): Promise<ActivityRecord> {
  const a = await getActivity(ctx, ref);
  if (!a) throw new AppError("not_found", `There is no activity ${ref}.`);
  return a;
}

function summarize(row: { id: string; index: number; actor: string; type: string; published: Date; body: string }): ActivitySummary {
  const json = JSON.parse(row.body) as { id: string; object?: { name?: unknown; id?: unknown } };
  return {
    index: row.index,
    activity_id: row.id,
    id: json.id,
    type: row.type,
    actor: row.actor,
    published: protocolTime(row.published),
    object_name: typeof json.object?.name === "string" ? json.object.name : null,
    object_id: typeof json.object?.id === "string" ? json.object.id : null,
  };
}

/** Published activities, newest first, keyset-paged on the publication index. */
export async function listActivities(
  ctx: AppContext,
  query: { cursor?: string; limit: number; actor?: string },
): Promise<{ items: ActivitySummary[]; next_cursor: string | null }> {
  const rows = await ctx.prisma.activity.findMany({
    where: {
      ...(query.cursor ? { index: { lt: Number(query.cursor) } } : {}),
      ...(query.actor ? { actor: query.actor } : {}),
    },
    orderBy: { index: "desc" },
    take: query.limit + 1,
    select: { id: true, index: true, actor: true, type: true, published: true, body: true },
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(summarize),
    next_cursor: rows.length > query.limit ? String(page[page.length - 1].index) : null,
  };
}

export type SignatureCheck = { verified: true; creator: string } | { verified: false; reason: string };

/** Checks a stored activity's Art DAG signature against its actor's key file. */
export async function checkActivitySignature(ctx: AppContext, activity: ActivityRecord): Promise<SignatureCheck> {
  const publicKeyPem = await readActorPublicKey(ctx.config.keysDir, activity.actor);
  if (!publicKeyPem) return { verified: false, reason: "the actor's public key is missing" };
  const expectedCreator = actorKeyId(ctx, activity.actor);
  const result = verifyActivitySignature(activity.json, publicKeyPem, { expectedCreator });
  return result.ok ? { verified: true, creator: expectedCreator } : { verified: false, reason: result.reason };
}

export type ProofCheck = { verified: true; verificationMethod: string; form: ProofForm } | { verified: false; reason: string };

/**
 * Checks a stored activity's FEP-8b32 proof against its actor's Ed25519 key file. Activities
 * stored before the proof carried `@context` verify too (form `document_context`): they are served
 * as signed, never rewritten.
 */
export async function checkActivityProof(ctx: AppContext, activity: ActivityRecord): Promise<ProofCheck> {
  if (!Object.hasOwn(activity.json, "proof")) return { verified: false, reason: "no FEP-8b32 proof" };
  const key = await readActorEd25519Key(ctx.config.keysDir, activity.actor);
  if (!key) return { verified: false, reason: "the actor's Ed25519 key is missing" };
  const keyId = actorMultikeyId(actorUrl(ctx, activity.actor));
  const result = await verifyProof(activity.json, { resolvePublicKey: async (id) => (id === keyId ? key.publicKey : null) });
  return result.ok
    ? { verified: true, verificationMethod: result.verificationMethod, form: result.form }
    : { verified: false, reason: result.reason.replaceAll("_", " ") };
}
