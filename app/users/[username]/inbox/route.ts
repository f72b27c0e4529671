// POST /users/{username}/inbox — a user's ActivityPub inbox (product.md §4).
import { handleRoute, json, methodNotAllowed, readBodyBytes } from "@/lib/http";
import { receiveActivity } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute<{ username: string }>(async (req, { params }) => {
  const { username } = await params;
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  const outcome = await receiveActivity(ctx, { method: req.method, url: req.url, headers: req.headers, body }, username);
  return json(outcome, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
