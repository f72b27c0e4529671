// GET /users — registered users, newest first (lib/front sends API requests for /users here).
import { listUsers, listUsersQuery } from "@/lib/accounts";
import { handleRoute, json, methodNotAllowed, parseQuery } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const query = parseQuery(req, listUsersQuery);
  return json(await listUsers(await getContext(), query), { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
