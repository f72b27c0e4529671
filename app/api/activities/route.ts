// GET /activities — published activities, newest first, keyset-paged (lib/front sends API requests here).
import { handleRoute, json, methodNotAllowed, parseQuery } from "@/lib/http";
import { listActivities, listActivitiesQuery } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const query = parseQuery(req, listActivitiesQuery);
  return json(await listActivities(await getContext(), query), { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
