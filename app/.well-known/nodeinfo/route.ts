// GET /.well-known/nodeinfo — where the NodeInfo 2.1 document is.
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { nodeinfoLinks } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async () => json(nodeinfoLinks(await getContext()), { headers: { "access-control-allow-origin": "*" } }));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
