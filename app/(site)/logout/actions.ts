"use server";

import { headers } from "next/headers";
import { signOut } from "@/auth";
import { authenticate } from "@/lib/http";
import { getContext } from "@/lib/runtime";
import { logoutEverywhere } from "@/lib/renderers";

/**
 * Logs out everywhere: the session's token and its renderer tokens are revoked first (so a copied
 * cookie is dead too, and so is every L1 login made from it), then the cookie goes.
 */
export async function logoutAction(): Promise<void> {
  const ctx = await getContext();
  const viewer = await authenticate(ctx, await headers()).catch(() => null);
  if (viewer) await logoutEverywhere(ctx, viewer);
  await signOut({ redirectTo: "/" });
}
