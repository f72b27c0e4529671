// GET /objects/{content_hash} — the asset as an ActivityPub object, exactly as signed in its claim.
// A public document (lib/http publicJson), tagged with its content hash.
import { cacheTag } from "@/lib/cache";
import { decodePathParam, handleRoute, methodNotAllowed, publicJson } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { getClaimObject } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ hash: string }>(async (req, { params }) => {
  const hash = decodePathParam((await params).hash, "hash");
  const ctx = await getContext();
  const object = await getClaimObject(ctx, hash);
  if (!object) throw new AppError("not_found", `There is no object with content hash ${hash}.`);
  return publicJson(object, {
    req,
    maxAge: ctx.config.publicCacheSeconds,
    contentType: "application/activity+json; charset=utf-8",
    lastModified: typeof object.published === "string" ? new Date(object.published) : null,
    tags: [cacheTag.object(hash.toLowerCase())],
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
