// GET /activities/{ref}/deliveries — where an activity was delivered: target, state, attempts, last
// error (the activity's own JSON stays byte for byte as signed, so its deliveries live here).
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { listDeliveries } from "@/lib/federation";
import { getActivityOrThrow } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ ref: string }>(async (_req, { params }) => {
  const ctx = await getContext();
  const activity = await getActivityOrThrow(ctx, decodePathParam((await params).ref, "ref"));
  const deliveries = await listDeliveries(ctx, String(activity.json.id));
  return json({ activity: activity.json.id, deliveries }, { headers: { "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
