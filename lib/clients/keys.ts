import { cacheTag, purgeCache } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { isUniqueViolation } from "@/lib/db";
import { userExists } from "@/lib/accounts";
import { AppError } from "@/lib/errors";
import type { AddClientKeyInput, ListClientKeysQuery } from "./schemas";
import { actorUrl } from "@/lib/urls";

/** A client key as the API shows it. */
export interface ClientKeyView {
  did_key: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
}

const keySelect = { didKey: true, label: true, createdAt: true, lastUsedAt: true } as const;

function toView(row: { didKey: string; label: string | null; createdAt: Date; lastUsedAt: Date | null }): ClientKeyView {
  return {
    did_key: row.didKey,
    label: row.label,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  };
}

async function alreadyRegistered(ctx: AppContext, username: string, didKey: string): Promise<AppError> {
  const row = await ctx.prisma.clientKey.findUnique({ where: { didKey }, select: { username: true } });
  // Another actor's key is not named: whose it is is theirs to know.
  const message =
    row?.username === username
      ? "This did:key is already registered for your actor."
      : "This did:key is already registered for another actor; a key belongs to one actor at most.";
  return new AppError("conflict", message, { fields: { did_key: message } });
}

/**
 * Authorizes a did:key for the user's actor (BIN-2, product.md §6). A key belongs to one actor at
 * most: 409 when it is already registered, to this user or another.
 * @throws AppError conflict, unauthorized (the user no longer exists)
 */
export async function addClientKey(ctx: AppContext, username: string, input: AddClientKeyInput): Promise<ClientKeyView & { actor: string }> {
  if (!(await userExists(ctx, username))) {
    throw new AppError("unauthorized", "The account of this login no longer exists.");
  }
  if (await ctx.prisma.clientKey.findUnique({ where: { didKey: input.did_key }, select: { id: true } })) {
    throw await alreadyRegistered(ctx, username, input.did_key);
  }
  try {
    const row = await ctx.prisma.clientKey.create({
      data: { didKey: input.did_key, username, label: input.label, createdAt: ctx.now() },
      select: keySelect,
    });
    return { ...toView(row), actor: actorUrl(ctx, username) };
  } catch (err) {
    // Two registrations of one key at the same moment: the unique constraint decides.
    if (isUniqueViolation(err)) throw await alreadyRegistered(ctx, username, input.did_key);
    throw err;
  }
}

/** The user's client keys, newest first, keyset-paged on their id. */
export async function listClientKeys(
  ctx: AppContext,
  username: string,
  query: ListClientKeysQuery = { limit: 100 },
): Promise<{ items: ClientKeyView[]; next_cursor: string | null }> {
  const rows = await ctx.prisma.clientKey.findMany({
    where: { username, ...(query.cursor ? { id: { lt: Number(query.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: { ...keySelect, id: true },
  });
  const page = rows.slice(0, query.limit);
  return { items: page.map(toView), next_cursor: rows.length > query.limit ? String(page[page.length - 1].id) : null };
}

/**
 * Removes one of the user's client keys; requests signed with it fail from then on.
 * @throws AppError not_found when the user has no such key (another user's key included)
 */
export async function removeClientKey(ctx: AppContext, username: string, didKey: string): Promise<void> {
  const removed = await ctx.prisma.clientKey.deleteMany({ where: { username, didKey } });
  if (removed.count === 0) throw new AppError("not_found", `You have no client key ${didKey.slice(0, 128)}.`);
  // Its WebFinger answer (did:key → actor) is cached with the user's documents.
  await purgeCache(ctx.prisma, [cacheTag.user(username)]);
}

/** The username whose actor a registered did:key belongs to, or null. */
export async function findClientKeyOwner(ctx: AppContext, didKey: string): Promise<string | null> {
  if (didKey.length > 128) return null;
  const row = await ctx.prisma.clientKey.findUnique({ where: { didKey }, select: { username: true } });
  return row?.username ?? null;
}
