// GET /objects/{content_hash} — the asset as an ActivityPub object, exactly as signed in its claim.
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { getClaimObject } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ hash: string }>(async (_req, { params }) => {
  const hash = decodePathParam((await params).hash, "hash");
  const object = await getClaimObject(await getContext(), hash);
  if (!object) throw new AppError("not_found", `There is no object with content hash ${hash}.`);
  return json(object, { headers: { "content-type": "application/activity+json; charset=utf-8" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
