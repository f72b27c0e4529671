import { z } from "zod";
import type { AppContext } from "@/lib/context";
import { keysetCursorSchema } from "@/lib/http";
import { getUserOrThrow } from "@/lib/accounts";
import { AS_CONTEXT } from "./documents";
import { collectionUrl } from "@/lib/urls";

/** How many items an OrderedCollectionPage holds. */
export const PAGE_SIZE = 20;

/**
 * Query of a collection URL: none → the OrderedCollection; `page=true` → its first (newest) page;
 * `max=N` → the page of items older than key N; `min=N` → the page of items newer than key N.
 */
export const collectionQuery = z.object({
  page: z.enum(["true"]).optional(),
  max: keysetCursorSchema.optional(),
  min: keysetCursorSchema.optional(),
});
export type CollectionQuery = z.infer<typeof collectionQuery>;

/** `inbox` holds the activities received for the user; only the user may read it (the route checks). */
export type CollectionName = "outbox" | "inbox" | "followers" | "following";

interface Item {
  key: number;
  value: unknown;
}

/** One keyset window of a collection, newest first, and whether there are items beyond each end. */
async function window(
  ctx: AppContext,
  name: CollectionName,
  username: string,
  q: { max?: number; min?: number },
): Promise<{ items: Item[]; older: boolean; newer: boolean }> {
  // Fetch one more than a page, in the direction of travel, to know whether another page exists.
  const ascending = q.min !== undefined && q.max === undefined;
  const take = PAGE_SIZE + 1;
  let rows: Item[] = [];
  if (name === "outbox") {
    const found = await ctx.prisma.activity.findMany({
      where: { actor: username, index: { ...(q.max !== undefined ? { lt: q.max } : {}), ...(q.min !== undefined ? { gt: q.min } : {}) } },
      orderBy: { index: ascending ? "asc" : "desc" },
      take,
      select: { index: true, body: true },
    });
    rows = found.map((r) => ({ key: r.index, value: JSON.parse(r.body) as unknown }));
  } else if (name === "followers") {
    const found = await ctx.prisma.follower.findMany({
      where: { username, id: { ...(q.max !== undefined ? { lt: q.max } : {}), ...(q.min !== undefined ? { gt: q.min } : {}) } },
      orderBy: { id: ascending ? "asc" : "desc" },
      take,
      select: { id: true, actor: true },
    });
    rows = found.map((r) => ({ key: r.id, value: r.actor }));
  } else if (name === "inbox") {
    const found = await ctx.prisma.inboxItem.findMany({
      where: { username, id: { ...(q.max !== undefined ? { lt: q.max } : {}), ...(q.min !== undefined ? { gt: q.min } : {}) } },
      orderBy: { id: ascending ? "asc" : "desc" },
      take,
      select: { id: true, body: true },
    });
    rows = found.map((r) => ({ key: r.id, value: parseStored(r.body) }));
  }
  const more = rows.length > PAGE_SIZE;
  const page = rows.slice(0, PAGE_SIZE);
  if (!ascending) return { items: page, older: more, newer: q.max !== undefined && (await hasItem(ctx, name, username, { gte: q.max })) };
  page.reverse();
  const oldest = page[page.length - 1]?.key;
  return { items: page, older: oldest !== undefined && (await hasItem(ctx, name, username, { lt: oldest })), newer: more };
}

/** An inbox item as stored (the JSON received); text that is not JSON is shown as it is. */
function parseStored(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** Whether the collection has an item with a key in the range (for exact next/prev links). */
async function hasItem(ctx: AppContext, name: CollectionName, username: string, range: { lt?: number; gte?: number }): Promise<boolean> {
  if (name === "outbox") return (await ctx.prisma.activity.findFirst({ where: { actor: username, index: range }, select: { index: true } })) !== null;
  if (name === "followers") return (await ctx.prisma.follower.findFirst({ where: { username, id: range }, select: { id: true } })) !== null;
  if (name === "inbox") return (await ctx.prisma.inboxItem.findFirst({ where: { username, id: range }, select: { id: true } })) !== null;
  return false;
}

async function totalItems(ctx: AppContext, name: CollectionName, username: string): Promise<number> {
  if (name === "outbox") return ctx.prisma.activity.count({ where: { actor: username } });
  if (name === "followers") return ctx.prisma.follower.count({ where: { username } });
  if (name === "inbox") return ctx.prisma.inboxItem.count({ where: { username } });
  return 0;
}

/**
 * A user's outbox, inbox, followers or following as an ActivityStreams OrderedCollection, or one of its
 * keyset-paged OrderedCollectionPages, newest first (product.md §4). @throws AppError not_found
 */
export async function getCollection(ctx: AppContext, name: CollectionName, username: string, query: CollectionQuery): Promise<Record<string, unknown>> {
  await getUserOrThrow(ctx, username);
  const url = collectionUrl(ctx, username, name);
  if (!query.page && query.max === undefined && query.min === undefined) {
    const total = await totalItems(ctx, name, username);
    return {
      "@context": AS_CONTEXT,
      id: url,
      type: "OrderedCollection",
      totalItems: total,
      first: `${url}?page=true`,
      ...(total > 0 ? { last: `${url}?page=true&min=0` } : {}),
    };
  }
  const max = query.max !== undefined ? Number(query.max) : undefined;
  const min = query.min !== undefined ? Number(query.min) : undefined;
  const { items, older, newer } = await window(ctx, name, username, { max, min });
  const self = max !== undefined ? `${url}?page=true&max=${max}` : min !== undefined ? `${url}?page=true&min=${min}` : `${url}?page=true`;
  const page: Record<string, unknown> = {
    "@context": AS_CONTEXT,
    id: self,
    type: "OrderedCollectionPage",
    partOf: url,
    orderedItems: items.map((i) => i.value),
  };
  if (items.length > 0 && older) page.next = `${url}?page=true&max=${items[items.length - 1].key}`;
  if (items.length > 0 && newer) page.prev = `${url}?page=true&min=${items[0].key}`;
  return page;
}
