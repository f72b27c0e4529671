// GET/POST /api/auth/* — next-auth's own endpoints (session cookie, CSRF token, sign-in callback).
// POST /api/auth/signout ends the session exactly as /logout does (its token and every renderer
// token issued from it revoked in one transaction, L1s told from the job queue) before next-auth
// clears the cookie: next-auth alone would only forget the cookie in this browser, leaving a copy
// of it, and every L1 login made from it, alive.
import type { NextRequest } from "next/server";
import { handlers } from "@/auth";
import { authActionOf } from "@/lib/accounts";
import { handleRoute } from "@/lib/http";
import { getCaller } from "@/lib/callers";
import { logoutEverywhere } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";

export const GET = handlers.GET;

const signOut = handleRoute(async (req) => {
  const ctx = await getContext();
  const principal = await getCaller(ctx, req, { accept: ["session"], write: true });
  if (principal) await logoutEverywhere(ctx, principal);
  return handlers.POST(req as NextRequest);
});

export async function POST(req: NextRequest): Promise<Response> {
  if (authActionOf(new URL(req.url).pathname) === "signout") return signOut(req, { params: Promise.resolve({}) });
  return handlers.POST(req);
}
