// POST /assets/record-run — record a completed L1 run as an owned asset (product.md §3).
import { handleRoute, json, methodNotAllowed, readJson, requireUserForWrite } from "@/lib/http";
import { recordRun, recordRunInput } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const POST = handleRoute(async (req) => {
  const ctx = await getContext();
  const user = await requireUserForWrite(ctx, req);
  const input = await readJson(req, recordRunInput);
  const { status, ...result } = await recordRun(ctx, user.username, input);
  return json(result, { status });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");
