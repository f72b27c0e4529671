import "server-only";
import { headers } from "next/headers";
import { getCaller, type TokenCaller } from "@/lib/callers";
import { isAppError } from "@/lib/errors";
import { getContext } from "@/lib/runtime";

/**
 * The signed-in user of a page request, or null. A page never fails on a bad credential; but when
 * the database cannot be reached this throws (the page shows its error, app/error.tsx) rather than
 * show a signed-in person as signed out.
 */
export async function getViewer(): Promise<TokenCaller | null> {
  const ctx = await getContext();
  return getCaller(ctx, await headers(), { accept: ["session", "bearer"] }).catch((err: unknown) => {
    if (isAppError(err)) return null;
    throw err;
  });
}

/** A same-site path to return to after signing in; anything else (other hosts, `//x`) becomes `/`. */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  // It becomes a Location header: NUL, other controls or anything beyond ASCII would make that
  // header invalid (a 500); our own pages always send it percent-encoded.
  if (!/^[\x21-\x7e]*$/.test(raw)) return "/";
  return raw.length > 2048 ? "/" : raw;
}
