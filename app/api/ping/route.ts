// GET /api/ping — {"ok":true}, touching nothing: the floor of a request that enters Next in this app,
// which `npm run bench` measures beside the public documents (scripts/bench/documents.ts).
import { handleRoute, json, methodNotAllowed } from "@/lib/http";

export const GET = handleRoute(async () => json({ ok: true }, { headers: { "cache-control": "no-store" } }));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
