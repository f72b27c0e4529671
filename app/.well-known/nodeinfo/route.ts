// GET /.well-known/nodeinfo — where the NodeInfo 2.1 document is (a public document, lib/http publicJson).
import { cacheTag } from "@/lib/cache";
import { handleRoute, methodNotAllowed, publicJson } from "@/lib/http";
import { nodeinfoLinks } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(async (req) => {
  const ctx = await getContext();
  return publicJson(nodeinfoLinks(ctx), {
    req,
    maxAge: ctx.config.publicCacheSeconds,
    tags: [cacheTag.nodeinfo],
    headers: { "access-control-allow-origin": "*" },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
