// GET /activities/{ref} — one signed activity by publication index or id, served byte for byte as
// stored (re-serialising it could break its signature for a verifier that hashes what it received).
// A public document (lib/http publicDocument): the stored bytes never change.
import { cacheTag } from "@/lib/cache";
import { decodePathParam, handleRoute, methodNotAllowed, publicDocument } from "@/lib/http";
import { getActivityOrThrow } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ ref: string }>(async (req, { params }) => {
  const { ref } = await params;
  const ctx = await getContext();
  const activity = await getActivityOrThrow(ctx, decodePathParam(ref, "ref"));
  return publicDocument(activity.body, {
    req,
    maxAge: ctx.config.publicCacheSeconds,
    contentType: "application/activity+json; charset=utf-8",
    vary: "Accept",
    lastModified: new Date(activity.published),
    tags: [cacheTag.activity(activity.activityId)],
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
