// The shared GET handler of a user's outbox, followers and following collections.
import { collectionQuery, getCollection, type CollectionName } from "@/lib/federation";
import { handleRoute, json } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export function collectionRoute(name: CollectionName) {
  return handleRoute<{ username: string }>(async (req, { params }) => {
    const { username } = await params;
    const query = collectionQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
    const doc = await getCollection(await getContext(), name, username, query);
    return json(doc, { headers: { "content-type": "application/activity+json; charset=utf-8", vary: "Accept" } });
  });
}
