// GET /renderers — every configured L1 with the caller's attachment state (lib/front sends API
// requests for /renderers here; browsers get the page).
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { listRenderers } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const ctx = await getContext();
  const user = await requireCaller(ctx, req, { accept: ["session", "bearer"] });
  return json(await listRenderers(ctx, user.username), { headers: { "cache-control": "no-store", vary: "Accept, Cookie" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
