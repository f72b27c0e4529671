// GET /auth/me — the signed-in user (Bearer token, browser session, or a Moo-Auth-1 client key).
import { getUser } from "@/lib/accounts";
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { AppError } from "@/lib/errors";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const ctx = await getContext();
  const principal = await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"] });
  const user = await getUser(ctx, principal.username);
  if (!user) throw new AppError("unauthorized", "The account of this token no longer exists.");
  return json(user, { headers: { "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
