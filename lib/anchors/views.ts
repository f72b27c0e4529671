// Reading anchors: the JSON views of an anchor and its calendars, the lists and counts, the anchor
// of one activity and its `.ots` proof (composed on every read).
import type { AppContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { OTS_HEADER_MAGIC, OTS_MAJOR_VERSION } from "./ots";
import { concatBytes, sha256 } from "./ots-bytes";
import { OP_SHA256 } from "./ots-ops";
import { anchorSelect, findAnchorOrThrow, readEntries, type AnchorRow } from "./rows";
import { activityOtsUrl, activityUrl, anchorUrl } from "@/lib/urls";

export interface AnchorCalendarView {
  url: string;
  state: "pending" | "failed" | "complete";
  attempts: number;
  error: string | null;
  answered_at: string | null;
}

export interface AnchorView {
  root: string;
  url: string;
  state: "pending" | "confirmed";
  activity_count: number;
  calendars: AnchorCalendarView[];
  block_height: number | null;
  block_time: string | null;
  created_at: string;
  submitted_at: string | null;
  upgraded_at: string | null;
  confirmed_at: string | null;
  last_error: string | null;
}

export interface AnchorDetail extends AnchorView {
  activities: { id: string; index: number; url: string; ots_url: string }[];
  activities_next_cursor: string | null;
}

export function toView(ctx: AppContext, row: AnchorRow): AnchorView {
  return {
    root: row.root,
    url: anchorUrl(ctx, row.root),
    state: row.state === "confirmed" ? "confirmed" : "pending",
    activity_count: row.activityCount,
    calendars: readEntries(row.calendars).map((e) => ({
      url: e.url,
      state: e.state,
      attempts: e.attempts,
      error: e.error,
      answered_at: e.answeredAt,
    })),
    block_height: row.blockHeight,
    block_time: row.blockTime?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    submitted_at: row.submittedAt?.toISOString() ?? null,
    upgraded_at: row.upgradedAt?.toISOString() ?? null,
    confirmed_at: row.confirmedAt?.toISOString() ?? null,
    last_error: row.lastError,
  };
}

/** Anchors, newest first, keyset-paged on id; plus how many activities wait for the next batch. */
export async function listAnchors(
  ctx: AppContext,
  query: { cursor?: string; limit: number },
): Promise<{ items: AnchorView[]; next_cursor: string | null; unanchored: number }> {
  const rows = await ctx.prisma.anchor.findMany({
    where: query.cursor ? { id: { lt: Number(query.cursor) } } : {},
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: anchorSelect,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => toView(ctx, r)),
    next_cursor: rows.length > query.limit ? String(page[page.length - 1].id) : null,
    unanchored: await countUnanchored(ctx),
  };
}

/** Activities not yet in any batch. */
export async function countUnanchored(ctx: AppContext): Promise<number> {
  return ctx.prisma.activity.count({ where: { anchorRoot: null } });
}

/** How many anchors (batches) exist. */
export async function countAnchors(ctx: AppContext): Promise<number> {
  return ctx.prisma.anchor.count();
}

/** Anchors by state, for the summary on /anchors/ui. */
export async function getAnchorStateCounts(ctx: AppContext): Promise<{ pending: number; confirmed: number }> {
  const [pending, confirmed] = await Promise.all([
    ctx.prisma.anchor.count({ where: { state: "pending" } }),
    ctx.prisma.anchor.count({ where: { state: "confirmed" } }),
  ]);
  return { pending, confirmed };
}

/** One anchor with a page of its activities (index order). @throws AppError invalid_request, not_found */
export async function getAnchorDetail(ctx: AppContext, root: string, query: { cursor?: string; limit?: number } = {}): Promise<AnchorDetail> {
  const row = await findAnchorOrThrow(ctx, root);
  const limit = query.limit ?? 100;
  const activities = await ctx.prisma.activity.findMany({
    where: { anchorRoot: row.root, ...(query.cursor ? { index: { gt: Number(query.cursor) } } : {}) },
    orderBy: { index: "asc" },
    take: limit + 1,
    select: { id: true, index: true },
  });
  const page = activities.slice(0, limit);
  return {
    ...toView(ctx, row),
    activities: page.map((a) => ({
      id: a.id,
      index: a.index,
      url: activityUrl(ctx, a.id),
      ots_url: activityOtsUrl(ctx, a.id),
    })),
    activities_next_cursor: activities.length > limit ? String(page[page.length - 1].index) : null,
  };
}

/** The anchor of one activity (by its id), if it is in a batch yet. */
export async function getActivityAnchor(
  ctx: AppContext,
  activityId: string,
): Promise<{ activity_id: string; anchor: AnchorView | null; ots_url: string | null }> {
  const row = await ctx.prisma.activity.findUnique({
    where: { id: activityId },
    select: { id: true, anchor: { select: anchorSelect } },
  });
  if (!row) throw new AppError("not_found", `There is no activity ${activityId}.`);
  const anchor = row.anchor;
  return {
    activity_id: row.id,
    anchor: anchor ? toView(ctx, anchor) : null,
    ots_url: anchor && anchor.timestamp && anchor.timestamp.length > 0 ? activityOtsUrl(ctx, row.id) : null,
  };
}

/**
 * The `.ots` proof of one activity (by its id): header, sha256 of its stored bytes, its own path
 * to the batch root, then the anchor's timestamp. Composed on every read, so an upgrade of the
 * anchor upgrades every proof at once. @throws AppError not_found, not_anchored
 */
export async function getActivityOts(ctx: AppContext, activityId: string): Promise<Uint8Array> {
  const row = await ctx.prisma.activity.findUnique({
    where: { id: activityId },
    select: { body: true, anchorPath: true, anchor: { select: { timestamp: true } } },
  });
  if (!row) throw new AppError("not_found", `There is no activity ${activityId}.`);
  if (!row.anchorPath || !row.anchor) {
    throw new AppError("not_anchored", "This activity is not anchored yet: it waits for the next batch.");
  }
  if (!row.anchor.timestamp || row.anchor.timestamp.length === 0) {
    throw new AppError("not_anchored", "This activity's batch has no calendar answer yet; its submission is retried.");
  }
  // A path node with one operation and nothing else serializes as that operation followed by its
  // child, so header + digest + path + timestamp is exactly the reference serialization.
  return concatBytes(
    OTS_HEADER_MAGIC,
    Uint8Array.from([OTS_MAJOR_VERSION, OP_SHA256]),
    sha256(row.body),
    Uint8Array.from(row.anchorPath),
    Uint8Array.from(row.anchor.timestamp),
  );
}
