// GET /users/{username} — the ActivityPub actor for `application/activity+json` / `application/ld+json`
// requests, the user's public profile JSON for other API clients (lib/front sends both here). Both
// are public documents (lib/http publicJson), varying on Accept, purged by the user's tag.
import { getUserProfile } from "@/lib/accounts";
import { cacheTag } from "@/lib/cache";
import { actorDocument } from "@/lib/federation";
import { decodePathParam, handleRoute, methodNotAllowed, publicJson } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { getContext } from "@/lib/runtime";

const ACTIVITYPUB = /\bapplication\/(activity\+json|ld\+json)\b/i;

export const GET = handleRoute<{ username: string }>(async (req, { params }) => {
  const username = decodePathParam((await params).username, "username");
  const ctx = await getContext();
  const cache = { req, maxAge: ctx.config.publicCacheSeconds, vary: "Accept", tags: [cacheTag.user(username)] };
  if (ACTIVITYPUB.test(req.headers.get("accept") ?? "")) {
    const actor = await actorDocument(ctx, username);
    return publicJson(actor, { ...cache, contentType: "application/activity+json; charset=utf-8" });
  }
  const profile = await getUserProfile(ctx, username);
  if (!profile) throw new AppError("not_found", `There is no user ${username}.`);
  return publicJson(profile, cache);
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
