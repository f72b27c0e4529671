"use server";

import { headers } from "next/headers";
import { signOut } from "@/auth";
import { getCaller } from "@/lib/callers";
import { isAppError } from "@/lib/errors";
import { getContext } from "@/lib/runtime";
import { logoutEverywhere } from "@/lib/renderers";

/**
 * Logs out everywhere: the session's token and its renderer tokens are revoked first (so a copied
 * cookie is dead too, and so is every L1 login made from it), then the cookie goes.
 */
export async function logoutAction(): Promise<void> {
  const ctx = await getContext();
  // A bad or dead session just signs out; but a database that cannot be reached must not end in
  // "signed out" with the token still valid: that error propagates (the page shows it, the session stays).
  const viewer = await getCaller(ctx, await headers(), { accept: ["session", "bearer"] }).catch((err: unknown) => {
    if (isAppError(err)) return null;
    throw err;
  });
  if (viewer) await logoutEverywhere(ctx, viewer);
  await signOut({ redirectTo: "/" });
}
