// GET /assets — list assets (keyset-paged); POST /assets — register an asset (product.md §3;
// Bearer, same-origin session or Moo-Auth-1).
// lib/front sends API requests for /assets here; browsers get the page.
import { handleRoute, json, methodNotAllowed, parseJson, parseQuery, readBodyBytes } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { listAssets, listAssetsQuery, registerAsset, registerAssetInput } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const ctx = await getContext();
  const query = parseQuery(req, listAssetsQuery);
  return json(await listAssets(ctx, query), { headers: { vary: "Accept" } });
});

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  // Clients sign the path they addressed, /assets; the front door rewrote it to this route.
  const user = await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true, body, publicPath: "/assets" });
  const input = registerAssetInput.parse(parseJson(body, req.headers.get("content-type")));
  return json(await registerAsset(ctx, user.username, input), { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET", "POST");
