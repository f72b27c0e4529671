// POST /renderers/attach — issue a token scoped to one configured L1 and send the browser there
// (303 to `{l1}/auth?auth_token=…`). JSON or form body; session (same-origin only) or Bearer.
import { handleRoute, methodNotAllowed, readJsonOrForm } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { attachRenderer, rendererInput } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const user = await requireCaller(ctx, req, { accept: ["session", "bearer"], write: true });
  const input = await readJsonOrForm(req, rendererInput);
  const { location } = await attachRenderer(ctx, user, input.l1_server);
  // The token travels only in this Location header: never in a page, never in our logs.
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
