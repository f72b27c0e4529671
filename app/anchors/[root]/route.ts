// GET /anchors/{root} — one anchor with the first 100 of its activities (index order, `?cursor=`).
import { anchorDetailQuery, getAnchorDetail } from "@/lib/anchors";
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ root: string }>(async (req, { params }) => {
  const query = anchorDetailQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  const detail = await getAnchorDetail(await getContext(), decodePathParam((await params).root), query);
  return json(detail, { headers: { "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
