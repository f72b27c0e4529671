import "server-only";
import { headers } from "next/headers";
import { signIn } from "@/auth";
import { isDatabaseUnavailable } from "@/lib/db";
import { clientAddress, DATABASE_UNAVAILABLE_MESSAGE } from "@/lib/http";
import { isAppError } from "@/lib/errors";
import type { AppContext } from "@/lib/context";
import { getContext } from "@/lib/runtime";
import type { FormState } from "./form-state";

/**
 * The shared shape of the login and register actions: run the account call with the client's
 * address (rate limits), show its AppError next to the form, or start the browser session with the
 * token it issued and go on to `next`.
 */
export async function startSessionWith(
  issue: (ctx: AppContext, client: string) => Promise<{ access_token: string }>,
  next: string,
  values: Record<string, string>,
): Promise<FormState> {
  const ctx = await getContext();
  const client = clientAddress(await headers());
  let token: string;
  try {
    token = (await issue(ctx, client)).access_token;
  } catch (err) {
    if (isAppError(err)) return { error: err.extra.fields ? undefined : err.message, fields: err.extra.fields, values };
    // The form stays, with the values typed, and says why: the API answers 503 in this case.
    if (isDatabaseUnavailable(err)) return { error: DATABASE_UNAVAILABLE_MESSAGE, values };
    throw err;
  }
  // Throws Next's redirect on success, which must propagate.
  await signIn("credentials", { token, redirectTo: next });
  return {};
}
