// POST /assets/record-run — record a completed L1 run as an owned asset (product.md §3; Bearer,
// same-origin session or Moo-Auth-1).
import { handleRoute, json, methodNotAllowed, parseJson, readBodyBytes } from "@/lib/http";
import { requireCaller } from "@/lib/callers";
import { recordRun, recordRunInput } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const body = await readBodyBytes(req);
  const user = await requireCaller(ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true, body });
  const input = recordRunInput.parse(parseJson(body, req.headers.get("content-type")));
  const { status, ...result } = await recordRun(ctx, user.username, input);
  return json(result, { status });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
