// POST /users/{username}/inbox — a user's ActivityPub inbox (product.md §4).
// GET /users/{username}/inbox — the activities received for the user, an OrderedCollection
// readable only by that user (a Moo-Auth-1 key of its actor, or its Bearer token or session).
import { decodePathParam, handleRoute, json, methodNotAllowed, readBodyBytes } from "@/lib/http";
import { receiveActivity } from "@/lib/federation";
import { getContext } from "@/lib/runtime";
import { collectionRoute } from "../collection-route";

export const GET = collectionRoute("inbox");

export const POST = handleRoute<{ username: string }>(async (req, { params }) => {
  const username = decodePathParam((await params).username, "username");
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  const outcome = await receiveActivity(ctx, { method: req.method, url: req.url, headers: req.headers, body }, username);
  return json(outcome, { status: 202 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET", "POST");
