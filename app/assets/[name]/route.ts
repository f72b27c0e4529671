// GET /assets/{name} — one asset (also /asset/{name} for API clients, through the front door, lib/front).
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { getAssetOrThrow } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ name: string }>(async (_req, { params }) => {
  const { name } = await params;
  return json(await getAssetOrThrow(await getContext(), decodePathParam(name, "name")), { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
