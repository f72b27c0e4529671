// POST /auth/logout — revoke the caller's token and every renderer token issued from it; attached
// L1s are told from the job queue (product.md §5).
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { logoutEverywhere } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const principal = await requireCaller(ctx, req, { accept: ["session", "bearer"], write: true });
  await logoutEverywhere(ctx, principal);
  return json({ revoked: true }, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
