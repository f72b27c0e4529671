"use server";

import { headers } from "next/headers";
import { signOut } from "@/auth";
import { authenticate } from "@/lib/http";
import { getContext } from "@/lib/runtime";
import { revokeSession } from "@/lib/tokens";

/** Logs out: the session's token is revoked first (so a copied cookie is dead too), then the cookie goes. */
export async function logoutAction(): Promise<void> {
  const ctx = await getContext();
  const viewer = await authenticate(ctx, await headers()).catch(() => null);
  if (viewer) await revokeSession(ctx, viewer.token, viewer.claims);
  await signOut({ redirectTo: "/" });
}
