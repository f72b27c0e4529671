// POST /auth/login — exchange a username and password for a login token (product.md §2).
import { loginInput, loginUser } from "@/lib/accounts";
import { clientAddress, handleRoute, json, methodNotAllowed, readJson } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const input = await readJson(req, loginInput);
  const grant = await loginUser(ctx, input, { client: clientAddress(req.headers) });
  return json(grant, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
