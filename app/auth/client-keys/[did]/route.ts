// DELETE /auth/client-keys/{did_key} — remove one of the user's client keys (product.md §6); the
// key stops working at once. The did:key may come percent-encoded or not.
import { removeClientKey } from "@/lib/clients";
import { decodePathParam, handleRoute, methodNotAllowed, readBodyBytes } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { getContext } from "@/lib/runtime";

export const DELETE = handleRoute<{ did: string }>(async (req, { params }) => {
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  const user = await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true, body });
  await removeClientKey(ctx, user.username, decodePathParam((await params).did, "did"));
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});

export const { GET, POST, PUT, PATCH, OPTIONS } = methodNotAllowed("DELETE");
