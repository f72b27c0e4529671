// POST /auth/logout — revoke the caller's token and every renderer token issued from it; attached
// L1s are told from the job queue (product.md §5).
import { handleRoute, json, methodNotAllowed, requireUserForWrite } from "@/lib/http";
import { logoutEverywhere } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const principal = await requireUserForWrite(ctx, req);
  await logoutEverywhere(ctx, principal);
  return json({ revoked: true }, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
