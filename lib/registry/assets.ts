import { cacheTag, deliverCachePurge, purgeCache, purgeNotification } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { assertCanonicalizable, CanonicalJsonError, MAX_CANONICAL_DEPTH } from "@/lib/crypto";
import { isUniqueViolation, type Db, type Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { assertStorableJson } from "@/lib/http";
import { enqueueDeliveries, followerInboxes } from "@/lib/federation";
import { buildSignedClaim, storeActivity, type ActivityJson, type ActivityToStore, type ClaimObjectFields } from "./activities";
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
function claimedBy(owner: { owner: string; name: string }): AppError {
  return new AppError("content_already_claimed", `This content hash is already owned by ${owner.owner} (asset ${owner.name}): the first signed claim wins.`, {
    fields: { content_hash: `Already owned by ${owner.owner}.` },
  });
}

async function alreadyClaimed(db: Tx | AppContext["prisma"], contentHash: string): Promise<AppError | null> {
  const owner = await db.asset.findUnique({ where: { contentHash }, select: { owner: true, name: true } });
  return owner ? claimedBy(owner) : null;
}

function nameTaken(name: string): AppError {
  return new AppError("name_taken", `The name '${name}' is already taken.`, { fields: { name: "This name is already taken." } });
}

export interface ClaimInput extends ClaimObjectFields {
  owner: string;
  runL1Server?: string | null;
  runId?: string | null;
}

/** A claim and its `Create`, signed before any transaction begins. */
export interface SignedClaim {
  input: ClaimInput;
  claim: Awaited<ReturnType<typeof buildSignedClaim>>;
}

/**
 * Signs a claim's `Create` (RSA + FEP-8b32 proof). Done before writing, so no transaction — and on
 * PGlite no other request, as it has one connection — waits on the signature.
 */
export async function signClaim(ctx: AppContext, input: ClaimInput): Promise<SignedClaim> {
  return { input, claim: await buildSignedClaim(ctx, input.owner, input) };
}

function assetData({ input, claim }: SignedClaim): Prisma.AssetUncheckedCreateInput {
  return {
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
  };
}

function activityOf({ input, claim }: SignedClaim): ActivityToStore {
  return { activityId: claim.activityId, type: "Create", actor: input.owner, body: claim.body, published: claim.published };
}

/** The asset columns a claim's INSERT returns, as the database names them. */
interface InsertedAssetRow {
  name: string;
  content_hash: string;
  asset_type: string;
  tags: string[];
  metadata: Prisma.JsonValue;
  url: string | null;
  ipfs_cid: string | null;
  owner: string;
  provenance: Prisma.JsonValue | null;
  created_at: Date;
  activity_id: string;
  activity_index: number;
}

/** The transaction-local setting through which a batch's first statement tells the others that the owner has no followers. */
const UNFOLLOWED = "artdag.claim_owner_unfollowed";

/**
 * The first statement of a claims batch. It takes the lock that serialises publication indexes (the
 * one storeActivity takes): each later statement of the batch takes a fresh snapshot (READ
 * COMMITTED), so one that inserts an activity with MAX(index)+1 after it sees every index committed
 * before, and a rolled-back batch leaves no gap. In the same statement it reads, once for the whole
 * batch, whether the owner has followers, and hands the answer to the later statements through a
 * transaction-local setting; only when there are none does it queue the cache purge's NOTIFY (sent
 * by PostgreSQL only if the batch commits).
 */
function lockForClaimsStatement(db: Db, owner: string, purge: { channel: string; payload: string }): Prisma.PrismaPromise<number> {
  return db.$executeRaw`
    SELECT pg_advisory_xact_lock(726173),
           set_config(${UNFOLLOWED}, s.unfollowed::text, true),
           CASE WHEN s.unfollowed THEN pg_notify(${purge.channel}, ${purge.payload}) END
      FROM (SELECT NOT EXISTS (SELECT 1 FROM followers WHERE username = ${owner}) AS unfollowed) s`;
}

/**
 * One statement per claim: its activity with the next publication index (MAX+1, under the lock taken
 * by the batch's first statement) and its asset, returning the asset as the API shows it — or
 * nothing at all when the batch's first statement found that the owner has followers. Raw SQL:
 * Prisma's model writes cost several times the INSERTs themselves here.
 */
function insertClaimStatement(db: Db, c: SignedClaim): Prisma.PrismaPromise<InsertedAssetRow[]> {
  const a = assetData(c);
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  return db.$queryRaw<InsertedAssetRow[]>`
    WITH activity AS (
      INSERT INTO activities (id, index, type, actor, body, published)
      SELECT ${c.claim.activityId}::uuid, COALESCE(MAX(index), 0) + 1, 'Create', ${a.owner}, ${c.claim.body},
             ${c.claim.published.toISOString()}::timestamptz
      FROM activities
      HAVING current_setting(${UNFOLLOWED}) = 'true'
      RETURNING id, index
    )
    INSERT INTO assets (name, content_hash, asset_type, tags, metadata, url, ipfs_cid, owner, provenance, run_l1_server, run_id, activity_id)
    SELECT ${a.name}, ${a.contentHash}, ${a.assetType}, ${a.tags as string[]}::text[], ${json(a.metadata)}::jsonb, ${a.url ?? null},
           ${a.ipfsCid ?? null}, ${a.owner}, ${json(a.provenance)}::jsonb, ${a.runL1Server ?? null}, ${a.runId ?? null}, activity.id
    FROM activity
    RETURNING name, content_hash, asset_type, tags, metadata, url, ipfs_cid, owner, provenance, created_at, activity_id,
              (SELECT index FROM activity) AS activity_index`;
}

/**
 * The batched writes of one owner's claims: the lock (with the followers check and the cache purge
 * of every claim), then one statement per claim, in order. Each claim statement returns its asset,
 * or no row when the owner has followers (then nothing was written and nothing purged). After a
 * commit with rows, the caller delivers the purge to this process: deliverCachePurge(claimsPurge(claims).tags).
 */
export function claimWriteStatements(db: Db, claims: SignedClaim[]): Prisma.PrismaPromise<unknown>[] {
  return [lockForClaimsStatement(db, claims[0].input.owner, claimsPurge(claims)), ...claims.map((c) => insertClaimStatement(db, c))];
}

function claimsPurge(claims: SignedClaim[]): ReturnType<typeof purgeNotification> {
  return purgeNotification(claims.flatMap(claimCacheTags));
}

function insertedView(row: InsertedAssetRow): AssetView {
  return toView({
    name: row.name,
    contentHash: row.content_hash,
    assetType: row.asset_type,
    tags: row.tags,
    metadata: row.metadata,
    url: row.url,
    ipfsCid: row.ipfs_cid,
    owner: row.owner,
    provenance: row.provenance,
    createdAt: new Date(row.created_at),
    activityId: row.activity_id,
    activity: { index: Number(row.activity_index) },
  });
}

/** What a new claim changes in the public documents: the owner's outbox and profile (asset count), NodeInfo's post count and the object. */
function claimCacheTags(c: SignedClaim): string[] {
  return [cacheTag.collection(c.input.owner, "outbox"), cacheTag.user(c.input.owner), cacheTag.object(c.input.contentHash.toLowerCase()), cacheTag.nodeinfo];
}

/**
 * Writes signed claims of one owner in one transaction, in order: each activity with the next
 * publication index, its asset, and its deliveries to the owner's followers. A unique violation
 * (hash, name, run) aborts the whole transaction: nothing is half-written.
 *
 * An owner without followers (most registrations) needs no reads between the writes, so they go as
 * one batched transaction (lock, one INSERT per claim, COMMIT) with no round trip to this process in
 * between; the batch itself checks for followers, once, under its lock, and writes nothing when
 * there are some. Then the deliveries' jobs are written through the job queue inside the transaction
 * (outbox), which needs an interactive transaction; the followers are read there again. A Follow
 * committed while the claim is being written may miss it either way (it is read, not locked).
 */
export async function writeClaims(
  ctx: AppContext,
  claims: SignedClaim[],
  options: { timeoutMs: number },
): Promise<{ asset: AssetView; activity: ActivityJson }[]> {
  const owners = new Set(claims.map((c) => c.input.owner));
  if (owners.size !== 1) throw new Error("writeClaims writes the claims of exactly one owner");
  const [owner] = owners;
  const results = await ctx.prisma.$transaction(claimWriteStatements(ctx.prisma, claims));
  const inserted = results.slice(1) as InsertedAssetRow[][];
  if (inserted.every((rows) => rows.length === 1)) {
    // Committed (and the batch's NOTIFY sent to the other replicas): purge this process at once.
    deliverCachePurge(claimsPurge(claims).tags);
    return inserted.map(([row], i) => ({ asset: insertedView(row), activity: claims[i].claim.json }));
  }
  if (inserted.some((rows) => rows.length > 0)) throw new Error("a claims batch wrote some claims and not others");
  return ctx.prisma.$transaction(
    async (tx) => {
      const written: { asset: AssetView; activity: ActivityJson }[] = [];
      for (const c of claims) {
        await storeActivity(tx, activityOf(c));
        const row = await tx.asset.create({ data: assetData(c), select: assetSelect });
        // Delivered to the owner's followers from the queue, committed with the claim itself.
        await enqueueDeliveries(
          ctx,
          tx,
          { url: String(c.claim.json.id), activityId: c.claim.activityId, actor: owner, body: c.claim.body },
          await followerInboxes(tx, owner),
        );
        // Purged from the caches when (and only if) this transaction commits.
        await purgeCache(tx, claimCacheTags(c));
        written.push({ asset: toView(row), activity: c.claim.json });
      }
      return written;
    },
    { timeout: options.timeoutMs, maxWait: 15_000 },
  );
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
 * No lookup before the write: the unique constraints refuse a taken hash or name, and only then is
 * the 409 explained (a refused claim costs its signature; every accepted one saves a round trip).
 * @throws AppError content_already_claimed, name_taken, invalid_request
 */
export async function registerAsset(ctx: AppContext, owner: string, input: RegisterAssetInput): Promise<{ asset: AssetView; activity: ActivityJson }> {
  requireSignableMetadata(input.metadata);
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
  const signed = await signClaim(ctx, claim);
  try {
    const [written] = await writeClaims(ctx, [signed], { timeoutMs: 15_000 });
    return written;
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
