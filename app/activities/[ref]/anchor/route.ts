// GET /activities/{ref}/anchor — where the activity stands in anchoring: its anchor (or null) and
// the URL of its `.ots` proof once a calendar has answered.
import { getActivityAnchor } from "@/lib/anchors";
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { getActivityOrThrow } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ ref: string }>(async (_req, { params }) => {
  const ctx = await getContext();
  const activity = await getActivityOrThrow(ctx, decodePathParam((await params).ref, "ref"));
  return json(await getActivityAnchor(ctx, activity.activityId), { headers: { "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
