// GET /anchors — OpenTimestamps anchors, newest first, keyset-paged, plus the activities waiting for
// a batch. POST /anchors — anchor now (signed in): 201 with the new batch, 200 when there is nothing
// to anchor; 429 with Retry-After past RATE_LIMIT_ANCHOR per user. Browsers asking for HTML are
// shown /anchors/ui (lib/front).
import { anchorNow, listAnchors, listAnchorsQuery } from "@/lib/anchors";
import { handleRoute, json, methodNotAllowed, parseQuery } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const query = parseQuery(req, listAnchorsQuery);
  return json(await listAnchors(await getContext(), query), { headers: { vary: "Accept", "cache-control": "no-store" } });
});

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const principal = await requireCaller(ctx, req, { accept: ["session", "bearer"], write: true });
  const { created } = await anchorNow(ctx, principal.username);
  if (created.length === 0) {
    return json({ anchor: null, message: "Nothing to anchor: every activity is already in a batch." }, { headers: { "cache-control": "no-store" } });
  }
  return json({ anchor: created[0] }, { status: 201, headers: { "cache-control": "no-store" } });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET", "POST");
