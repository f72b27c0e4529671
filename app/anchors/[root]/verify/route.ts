// POST /anchors/{root}/verify — re-check the anchor's Bitcoin attestation against OTS_ESPLORA_URL (signed in).
import { verifyAnchor } from "@/lib/anchors";
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute<{ root: string }>(async (req, { params }) => {
  const ctx = await getContext();
  await requireCaller(ctx, req, { accept: ["session", "bearer"], write: true });
  const result = await verifyAnchor(ctx, decodePathParam((await params).root, "root"));
  return json(result, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
