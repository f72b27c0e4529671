// GET /anchors — OpenTimestamps anchors, newest first, keyset-paged, plus the activities waiting for
// a batch. POST /anchors — anchor now (signed in): 201 with the new batch, 200 when there is nothing
// to anchor. Browsers asking for HTML are sent to /anchors/ui by proxy.ts.
import { anchorPending, listAnchors, listAnchorsQuery } from "@/lib/anchors";
import { handleRoute, json, methodNotAllowed, parseQuery, requireUserForWrite } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const query = parseQuery(req, listAnchorsQuery);
  return json(await listAnchors(await getContext(), query), { headers: { vary: "Accept", "cache-control": "no-store" } });
});

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  await requireUserForWrite(ctx, req);
  const { created } = await anchorPending(ctx);
  if (created.length === 0) {
    return json({ anchor: null, message: "Nothing to anchor: every activity is already in a batch." }, { headers: { "cache-control": "no-store" } });
  }
  return json({ anchor: created[0] }, { status: 201, headers: { "cache-control": "no-store" } });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET", "POST");
