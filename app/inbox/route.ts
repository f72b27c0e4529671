// POST /inbox — the shared inbox (product.md §4).
import { handleRoute, json, methodNotAllowed, readBodyBytes } from "@/lib/http";
import { receiveActivity } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  const outcome = await receiveActivity(ctx, { method: req.method, url: req.url, headers: req.headers, body }, null);
  return json(outcome, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
