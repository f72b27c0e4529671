// POST /renderers/detach — revoke an attachment's tokens, tell the L1 (queued), remove it.
// Browsers (Accept: text/html) go back to /renderers; API clients get the new state as JSON.
import { handleRoute, json, methodNotAllowed, readJsonOrForm } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { detachRenderer, rendererInput } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const user = await requireCaller(ctx, req, { accept: ["session", "bearer"], write: true });
  const input = await readJsonOrForm(req, rendererInput);
  const state = await detachRenderer(ctx, user, input.l1_server);
  if (/\btext\/html\b/i.test(req.headers.get("accept") ?? "")) {
    return new Response(null, { status: 303, headers: { location: "/renderers" } });
  }
  return json(state, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
