// GET /nodeinfo/2.1 — NodeInfo 2.1: software, protocols and usage. A public document (lib/http
// publicJson), purged when its counts change.
import { cacheTag } from "@/lib/cache";
import { handleRoute, methodNotAllowed, publicJson } from "@/lib/http";
import { nodeinfo } from "@/lib/federation";
import { getContext } from "@/lib/runtime";
import { softwareVersion } from "@/lib/site";

export const GET = handleRoute(async (req) => {
  const ctx = await getContext();
  const doc = await nodeinfo(ctx, { name: "artdag-l2", version: await softwareVersion() });
  return publicJson(doc, {
    req,
    maxAge: ctx.config.publicCacheSeconds,
    contentType: 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    tags: [cacheTag.nodeinfo],
    headers: { "access-control-allow-origin": "*" },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
