// POST /auth/register — create an account; answers a login token (product.md §2).
import { registerUser, registerUserInput } from "@/lib/accounts";
import { clientAddress, handleRoute, json, methodNotAllowed, readJson } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const input = await readJson(req, registerUserInput);
  const grant = await registerUser(ctx, input, { client: clientAddress(req.headers) });
  return json(grant, { status: 201, headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
