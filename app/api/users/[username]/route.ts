// GET /users/{username} — the ActivityPub actor for `application/activity+json` / `application/ld+json`
// requests, the user's public profile JSON for other API clients (lib/front sends both here).
import { getUserProfile } from "@/lib/accounts";
import { actorDocument } from "@/lib/federation";
import { decodePathParam, handleRoute, json, methodNotAllowed } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { getContext } from "@/lib/runtime";

const ACTIVITYPUB = /\bapplication\/(activity\+json|ld\+json)\b/i;

export const GET = handleRoute<{ username: string }>(async (req, { params }) => {
  const username = decodePathParam((await params).username, "username");
  const ctx = await getContext();
  if (ACTIVITYPUB.test(req.headers.get("accept") ?? "")) {
    const actor = await actorDocument(ctx, username);
    return json(actor, { headers: { "content-type": "application/activity+json; charset=utf-8", vary: "Accept" } });
  }
  const profile = await getUserProfile(ctx, username);
  if (!profile) throw new AppError("not_found", `There is no user ${username}.`);
  return json(profile, { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
