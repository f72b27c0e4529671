// GET /anchors/{root} — one anchor with the first 100 of its activities (index order, `?cursor=`).
import { anchorDetailQuery, getAnchorDetail } from "@/lib/anchors";
import { decodePathParam, handleRoute, parseQuery, json, methodNotAllowed } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ root: string }>(async (req, { params }) => {
  const query = parseQuery(req, anchorDetailQuery);
  const detail = await getAnchorDetail(await getContext(), decodePathParam((await params).root, "root"), query);
  return json(detail, { headers: { "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
