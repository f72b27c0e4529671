// GET /users/{username}/outbox — an OrderedCollection, keyset-paged newest first (product.md §4).
// POST /users/{username}/outbox — C2S (product.md §6): a Create whose object has a contentHash
// registers the asset exactly as POST /assets does → 201, Location = the new activity.
// Moo-Auth-1 of the owner's keys, or the owner's Bearer token or session (same-origin).
import { assetFieldsFromCreate } from "@/lib/clients";
import { decodePathParam, handleRoute, json, methodNotAllowed, parseJson, readBodyBytes } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { getContext } from "@/lib/runtime";
import { collectionRoute } from "../collection-route";

export const GET = collectionRoute("outbox");

export const POST = handleRoute<{ username: string }>(async (req, { params }) => {
  const username = decodePathParam((await params).username, "username");
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true, as: username, body });
  const input = registerAssetInput.parse(assetFieldsFromCreate(ctx, username, parseJson(body, req.headers.get("content-type"))));
  const result = await registerAsset(ctx, username, input);
  return json(result, { status: 201, headers: { location: result.activity.id } });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET", "POST");
