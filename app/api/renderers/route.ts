// GET /renderers — every configured L1 with the caller's attachment state (lib/front sends API
// requests for /renderers here; browsers get the page).
import { handleRoute, json, methodNotAllowed, requireUser } from "@/lib/http";
import { listRenderers } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const ctx = await getContext();
  const user = await requireUser(ctx, req.headers);
  return json(await listRenderers(ctx, user.username), { headers: { "cache-control": "no-store", vary: "Accept, Cookie" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
