// GET /activities/{ref} — one signed activity by publication index or id, served byte for byte as
// stored (re-serialising it could break its signature for a verifier that hashes what it received).
import { decodePathParam, handleRoute, methodNotAllowed } from "@/lib/http";
import { getActivityOrThrow } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ ref: string }>(async (_req, { params }) => {
  const { ref } = await params;
  const activity = await getActivityOrThrow(await getContext(), decodePathParam(ref, "ref"));
  return new Response(activity.body, {
    headers: { "content-type": "application/activity+json; charset=utf-8", vary: "Accept" },
  });
});


export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
