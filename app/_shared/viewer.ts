import "server-only";
import { headers } from "next/headers";
import { authenticate, type Principal } from "@/lib/http";
import { getContext } from "@/lib/runtime";

/** The signed-in user of a page request, or null. A page never fails on a bad credential. */
export async function getViewer(): Promise<Principal | null> {
  const ctx = await getContext();
  return authenticate(ctx, await headers()).catch(() => null);
}

/** A same-site path to return to after signing in; anything else (other hosts, `//x`) becomes `/`. */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  // It becomes a Location header: NUL, other controls or anything beyond ASCII would make that
  // header invalid (a 500); our own pages always send it percent-encoded.
  if (!/^[\x21-\x7e]*$/.test(raw)) return "/";
  return raw.length > 2048 ? "/" : raw;
}
