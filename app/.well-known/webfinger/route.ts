// GET /.well-known/webfinger?resource=acct:user@domain (or the actor URL, or a registered client
// did:key, BIN-2) — RFC 7033 discovery.
import { handleRoute, json, methodNotAllowed, readQuery } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { webfinger } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(
  async (req) => {
    const { resource } = readQuery(req);
    if (!resource) throw new AppError("invalid_request", "resource is required (acct:user@domain, an actor URL or a did:key).");
    const jrd = await webfinger(await getContext(), resource);
    return json(jrd, { headers: { "content-type": "application/jrd+json; charset=utf-8" } });
  },
  // Discovery is public: browsers' clients (and other origins) may read it.
  { headers: { "access-control-allow-origin": "*" } },
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
