// POST /auth/verify — token introspection for L1 renderers (protocols.md §4, RFC 7662 fields).
// JSON or form body; the token may come as a Bearer header, the L1 as X-L1-Server.
import { z } from "zod";
import { handleRoute, json, methodNotAllowed, readJsonOrForm } from "@/lib/http";
import { introspectRendererToken } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

// No length limit on the token here: an oversized one is just another invalid token (401).
const verifyInput = z.object({ token: z.string().optional(), l1_server: z.string().max(2048).optional() });

export const POST = handleRoute(
  async (req) => {
    const ctx = await getContext();
    const body = await readJsonOrForm(req, verifyInput);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    const result = await introspectRendererToken(ctx, {
      token: body.token ?? bearer ?? null,
      l1Server: body.l1_server ?? req.headers.get("x-l1-server"),
    });
    return json(result.body, { status: result.status });
  },
  // Introspection answers, errors included, must never be cached (RFC 7662 §4).
  { headers: { "cache-control": "no-store", pragma: "no-cache" } },
);

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
