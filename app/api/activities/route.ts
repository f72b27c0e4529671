// GET /activities — published activities, newest first, keyset-paged (lib/front sends API requests here).
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { listActivities, listActivitiesQuery } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const query = listActivitiesQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return json(await listActivities(await getContext(), query), { headers: { vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
