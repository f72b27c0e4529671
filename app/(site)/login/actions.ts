"use server";

import { loginInput, loginUser } from "@/lib/accounts";
import { describeZodError } from "@/lib/http";
import { notAForm, type FormState } from "@/components/form-state";
import { startSessionWith } from "../../_shared/session-actions";
import { safeNextPath } from "../../_shared/viewer";

/** The login form: field errors, one message for bad credentials, then a browser session. */
export async function loginAction(_prev: FormState, form: FormData): Promise<FormState> {
  // Anyone can call an action with any arguments (its id is in the page): no form, no login.
  if (!(form instanceof FormData)) return notAForm();
  const values = { username: String(form.get("username") ?? "") };
  const parsed = loginInput.safeParse({ username: form.get("username"), password: form.get("password") });
  if (!parsed.success) return { fields: describeZodError(parsed.error).fields, values };
  return startSessionWith((ctx, client) => loginUser(ctx, parsed.data, { client }), safeNextPath(form.get("next")), values);
}
