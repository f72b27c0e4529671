// GET /auth/client-keys — the signed-in user's client did:keys, newest first (product.md §6);
// POST /auth/client-keys — authorize a did:key for the user's actor ({did_key, label?}, JSON or form).
// Bearer, browser session (writes same-origin only) or Moo-Auth-1.
import { addClientKey, listClientKeys, listClientKeysQuery, parseAddClientKeyBody } from "@/lib/clients";
import { handleRoute, json, methodNotAllowed, parseQuery, readBodyBytes } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(
  async (req) => {
    const ctx = await getContext();
    const user = await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"] });
    const query = parseQuery(req, listClientKeysQuery);
    return json(await listClientKeys(ctx, user.username, query));
  },
  { headers: { "cache-control": "no-store" } },
);

export const POST = handleRoute(
  async (req) => {
    const ctx = await getContext();
    const body = await readBodyBytes(req);
    const user = await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true, body });
    const input = parseAddClientKeyBody(body, req.headers.get("content-type"));
    return json(await addClientKey(ctx, user.username, input), { status: 201 });
  },
  { headers: { "cache-control": "no-store" } },
);

export const { PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET", "POST");
