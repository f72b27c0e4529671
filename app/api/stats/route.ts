// GET /api/stats — the home page's counts; `GET /` with a non-HTML Accept is rewritten here.
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { getContext } from "@/lib/runtime";
import { getSiteStats } from "@/lib/site";

export const GET = handleRoute(async () => {
  const stats = await getSiteStats(await getContext());
  return json(stats, { headers: { "cache-control": "no-store", vary: "Accept" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
