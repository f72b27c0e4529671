// The shared GET handler of a user's outbox, inbox, followers and following collections. The inbox
// is the user's alone; the others are public, but a Moo-Auth-1 request must be signed by a key of
// that same actor (a key of actor A gets 401 on actor B's collections, product.md §6). The public
// ones are public documents (lib/http publicJson), every page tagged with the collection; the
// personal answers (the inbox, a signed request) are never stored by anyone.
import { cacheTag } from "@/lib/cache";
import { collectionQuery, getCollection, type CollectionName } from "@/lib/federation";
import { decodePathParam, handleRoute, json, parseQuery, publicJson } from "@/lib/http";
import { isMooAuthRequest } from "@/lib/http-signatures";
import { requireCaller } from "@/lib/callers";
import { getContext } from "@/lib/runtime";

const CONTENT_TYPE = "application/activity+json; charset=utf-8";

export function collectionRoute(name: CollectionName) {
  return handleRoute<{ username: string }>(async (req, { params }) => {
    const username = decodePathParam((await params).username, "username");
    const ctx = await getContext();
    const personal = name === "inbox" || isMooAuthRequest(req.headers);
    if (personal) await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"], as: username });
    const query = parseQuery(req, collectionQuery);
    const doc = await getCollection(ctx, name, username, query);
    if (personal) {
      return json(doc, { headers: { "content-type": CONTENT_TYPE, vary: "Accept, Authorization", "cache-control": "private, no-store" } });
    }
    return publicJson(doc, {
      req,
      maxAge: ctx.config.publicCacheSeconds,
      contentType: CONTENT_TYPE,
      vary: "Accept, Authorization",
      tags: [cacheTag.collection(username, name)],
    });
  });
}
