// POST /auth/logout — revoke the caller's token: it fails everywhere from now on.
import { handleRoute, json, methodNotAllowed, requireUser } from "@/lib/http";
import { getContext } from "@/lib/runtime";
import { revokeSession } from "@/lib/tokens";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const principal = await requireUser(ctx, req.headers);
  await revokeSession(ctx, principal.token, principal.claims);
  return json({ revoked: true }, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
