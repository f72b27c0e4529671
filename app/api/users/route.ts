// GET /users — registered users, newest first (lib/front sends API requests for /users here).
import { listUsers, listUsersQuery } from "@/lib/accounts";
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const query = listUsersQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return json(await listUsers(await getContext(), query), { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
