// GET /nodeinfo/2.1 — NodeInfo 2.1: software, protocols and usage.
import { handleRoute, json, methodNotAllowed } from "@/lib/http";
import { nodeinfo } from "@/lib/federation";
import { getContext } from "@/lib/runtime";
import { softwareVersion } from "@/lib/site";

export const GET = handleRoute(async () => {
  const doc = await nodeinfo(await getContext(), { name: "artdag-l2", version: await softwareVersion() });
  return json(doc, {
    headers: {
      "content-type": 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
      "access-control-allow-origin": "*",
    },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
