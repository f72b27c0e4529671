// GET /.well-known/webfinger?resource=acct:user@domain (or the actor URL, or a registered client
// did:key, BIN-2) — RFC 7033 discovery. A public document (lib/http publicJson) tagged with the user
// it names, so a change of the user's keys purges it.
import { cacheTag } from "@/lib/cache";
import { handleRoute, methodNotAllowed, publicJson, readQuery } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { webfinger } from "@/lib/federation";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute(
  async (req) => {
    const { resource } = readQuery(req);
    if (!resource) throw new AppError("invalid_request", "resource is required (acct:user@domain, an actor URL or a did:key).");
    const ctx = await getContext();
    const jrd = await webfinger(ctx, resource);
    // The subject is always acct:{username}@{domain}.
    const username = jrd.subject.slice("acct:".length, jrd.subject.lastIndexOf("@"));
    return publicJson(jrd, {
      req,
      maxAge: ctx.config.publicCacheSeconds,
      contentType: "application/jrd+json; charset=utf-8",
      tags: [cacheTag.user(username)],
    });
  },
  // Discovery is public: browsers' clients (and other origins) may read it.
  { headers: { "access-control-allow-origin": "*" } },
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
