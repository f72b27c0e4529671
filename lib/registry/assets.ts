import { cacheTag, purgeCache } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { assertCanonicalizable, CanonicalJsonError, MAX_CANONICAL_DEPTH } from "@/lib/crypto";
import { isUniqueViolation, type Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { assertStorableJson } from "@/lib/http";
import { enqueueDeliveries, followerInboxes } from "@/lib/federation";
import { buildSignedClaim, storeActivity, type ActivityJson, type ClaimObjectFields } from "./activities";
import type { AssetType, ListAssetsQuery, RegisterAssetInput } from "./schemas";

type Tx = Prisma.TransactionClient;

/** An asset as the API shows it. */
export interface AssetView {
  name: string;
  content_hash: string;
  asset_type: AssetType;
  tags: string[];
  metadata: Record<string, unknown>;
  url: string | null;
  ipfs_cid: string | null;
  owner: string;
  provenance: Record<string, unknown> | null;
  created_at: string;
  activity_id: string;
  activity_index: number;
}

const assetSelect = {
  name: true,
  contentHash: true,
  assetType: true,
  tags: true,
  metadata: true,
  url: true,
  ipfsCid: true,
  owner: true,
  provenance: true,
  createdAt: true,
  activityId: true,
  activity: { select: { index: true } },
} as const;

type AssetRow = Prisma.AssetGetPayload<{ select: typeof assetSelect }>;

function toView(row: AssetRow): AssetView {
  return {
    name: row.name,
    content_hash: row.contentHash,
    asset_type: row.assetType as AssetType,
    tags: row.tags,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    url: row.url,
    ipfs_cid: row.ipfsCid,
    owner: row.owner,
    provenance: (row.provenance ?? null) as Record<string, unknown> | null,
    created_at: row.createdAt.toISOString(),
    activity_id: row.activityId,
    activity_index: row.activity.index,
  };
}

/** Refuses (400) metadata the signature scheme cannot sign exactly, before anything is written. */
function requireSignableMetadata(metadata: Record<string, unknown>): void {
  // A lone surrogate canonicalizes (as \udXXX, in Python too) but cannot be stored as text: refused
  // before anything is signed, as is NUL, which PostgreSQL refuses in jsonb.
  assertStorableJson(metadata, "metadata", true);
  try {
    // metadata sits two levels down in the signed activity (activity.object.metadata).
    assertCanonicalizable(metadata, "metadata", { maxDepth: MAX_CANONICAL_DEPTH - 2 });
  } catch (err) {
    if (err instanceof CanonicalJsonError) {
      throw new AppError("invalid_request", `${err.message}; it cannot be signed exactly.`, { fields: { metadata: err.message } });
    }
    throw err;
  }
}

/** The 409 for a content hash someone already owns, naming the owner. */
async function alreadyClaimed(db: Tx | AppContext["prisma"], contentHash: string): Promise<AppError | null> {
  const owner = await db.asset.findUnique({ where: { contentHash }, select: { owner: true, name: true } });
  if (!owner) return null;
  return new AppError(
    "content_already_claimed",
    `This content hash is already owned by ${owner.owner} (asset ${owner.name}): the first signed claim wins.`,
    { fields: { content_hash: `Already owned by ${owner.owner}.` } },
  );
}

function nameTaken(name: string): AppError {
  return new AppError("name_taken", `The name '${name}' is already taken.`, { fields: { name: "This name is already taken." } });
}

export interface ClaimInput extends ClaimObjectFields {
  owner: string;
  runL1Server?: string | null;
  runId?: string | null;
}

/**
 * Inside a transaction: signs the claim, stores its activity and inserts the asset. A unique
 * violation (hash, name, run) aborts the caller's transaction: nothing is half-written.
 */
export async function insertClaim(ctx: AppContext, tx: Tx, input: ClaimInput): Promise<{ asset: AssetView; activity: ActivityJson }> {
  const claim = await buildSignedClaim(ctx, input.owner, input);
  await storeActivity(tx, { activityId: claim.activityId, type: "Create", actor: input.owner, body: claim.body, published: claim.published });
  const row = await tx.asset.create({
    data: {
      name: input.name,
      contentHash: input.contentHash,
      assetType: input.assetType,
      tags: input.tags,
      metadata: input.metadata as Prisma.InputJsonObject,
      url: input.url ?? null,
      ipfsCid: input.ipfsCid ?? null,
      owner: input.owner,
      provenance: (input.provenance ?? undefined) as Prisma.InputJsonObject | undefined,
      runL1Server: input.runL1Server ?? null,
      runId: input.runId ?? null,
      activityId: claim.activityId,
    },
    select: assetSelect,
  });
  // Delivered to the owner's followers from the queue, committed with the claim itself.
  await enqueueDeliveries(
    ctx,
    tx,
    { url: String(claim.json.id), activityId: claim.activityId, actor: input.owner, body: claim.body },
    await followerInboxes(tx, input.owner),
  );
  // The owner's outbox and profile (asset count), NodeInfo's post count and the object itself: purged
  // from the caches when (and only if) this transaction commits.
  await purgeCache(tx, [
    cacheTag.collection(input.owner, "outbox"),
    cacheTag.user(input.owner),
    cacheTag.object(input.contentHash.toLowerCase()),
    cacheTag.nodeinfo,
  ]);
  return { asset: toView(row), activity: claim.json };
}

/** Turns a unique violation of a claim into the 409 a person can act on. */
export async function explainClaimConflict(ctx: AppContext, input: { contentHash: string; name: string }): Promise<AppError> {
  const claimed = await alreadyClaimed(ctx.prisma, input.contentHash);
  if (claimed) return claimed;
  const named = await ctx.prisma.asset.findUnique({ where: { name: input.name }, select: { id: true } });
  if (named) return nameTaken(input.name);
  return new AppError("conflict", "Another registration changed the registry at the same moment; try again.");
}

/**
 * Registers an asset for `owner` and publishes its signed `Create` (product.md §3): the first claim
 * on a content hash wins (409 naming the owner), names are unique (409), and nothing is half-written.
 * @throws AppError content_already_claimed, name_taken, invalid_request
 */
export async function registerAsset(
  ctx: AppContext,
  owner: string,
  input: RegisterAssetInput,
): Promise<{ asset: AssetView; activity: ActivityJson }> {
  requireSignableMetadata(input.metadata);
  // Cheap early answers; the unique constraints below decide races.
  const claimed = await alreadyClaimed(ctx.prisma, input.content_hash);
  if (claimed) throw claimed;
  if (await ctx.prisma.asset.findUnique({ where: { name: input.name }, select: { id: true } })) throw nameTaken(input.name);
  const claim: ClaimInput = {
    owner,
    name: input.name,
    contentHash: input.content_hash,
    assetType: input.asset_type,
    tags: input.tags,
    metadata: input.metadata as Record<string, unknown>,
    url: input.url,
    ipfsCid: input.ipfs_cid,
  };
  try {
    return await ctx.prisma.$transaction((tx) => insertClaim(ctx, tx, claim), { timeout: 15_000, maxWait: 15_000 });
  } catch (err) {
    if (isUniqueViolation(err)) throw await explainClaimConflict(ctx, claim);
    throw err;
  }
}

/** One asset by name, or null. */
export async function getAsset(ctx: AppContext, name: string): Promise<AssetView | null> {
  const row = await ctx.prisma.asset.findUnique({ where: { name }, select: assetSelect });
  return row ? toView(row) : null;
}

/** One asset by name, or 404. @throws AppError not_found */
export async function getAssetOrThrow(ctx: AppContext, name: string): Promise<AssetView> {
  const asset = await getAsset(ctx, name);
  if (!asset) throw new AppError("not_found", `There is no asset named '${name}'.`);
  return asset;
}


/** Prisma hands `contains` to (I)LIKE unescaped: make `%`, `_` and `\` in a search literal characters. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Assets, newest first, keyset-paged on the registration order (`id`); each filter uses an index
 * (type, owner and tags have their own; `q` matches name substrings and exact tags).
 */
export async function listAssets(ctx: AppContext, query: ListAssetsQuery): Promise<{ items: AssetView[]; next_cursor: string | null }> {
  const where: Prisma.AssetWhereInput = {};
  if (query.cursor) where.id = { lt: Number(query.cursor) };
  if (query.type) where.assetType = query.type;
  if (query.owner) where.owner = query.owner;
  if (query.tag) where.tags = { has: query.tag };
  const q = query.q?.trim();
  if (q) where.OR = [{ name: { contains: likeLiteral(q), mode: "insensitive" } }, { tags: { has: q } }, { contentHash: q.toLowerCase() }];
  const rows = await ctx.prisma.asset.findMany({
    where,
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: { ...assetSelect, id: true },
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toView),
    next_cursor: rows.length > query.limit ? String(page[page.length - 1].id) : null,
  };
}

/** The asset's ActivityPub object, exactly as signed inside its claim, or null. */
export async function getClaimObject(ctx: AppContext, contentHash: string): Promise<Record<string, unknown> | null> {
  if (!/^[0-9a-fA-F]{64}$/.test(contentHash)) return null;
  const row = await ctx.prisma.asset.findUnique({
    where: { contentHash: contentHash.toLowerCase() },
    select: { activity: { select: { body: true } } },
  });
  if (!row) return null;
  const activity = JSON.parse(row.activity.body) as { "@context": unknown; object: Record<string, unknown> };
  return { "@context": activity["@context"], ...activity.object };
}
