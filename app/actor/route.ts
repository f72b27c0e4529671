// GET /actor — the instance actor, whose key signs our outbound fetches.
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { instanceActorDocument } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async () =>
  json(await instanceActorDocument(await getContext()), { headers: { "content-type": "application/activity+json; charset=utf-8" } }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
