// GET /users/{username} — a user's public profile (proxy.ts sends API requests here).
import { getUserProfile } from "@/lib/accounts";
import { AppError, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ username: string }>(async (_req, { params }) => {
  const { username } = await params;
  const profile = await getUserProfile(await getContext(), username);
  if (!profile) throw new AppError("not_found", `There is no user ${username}.`);
  return json(profile, { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
