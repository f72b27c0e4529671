"use server";

import { registerUser, registerUserInput } from "@/lib/accounts";
import { describeZodError } from "@/lib/http";
import { notAForm, type FormState } from "@/components/form-state";
import { startSessionWith } from "../../_shared/session-actions";
import { safeNextPath } from "../../_shared/viewer";

/** The registration form: the same rules as POST /auth/register, then a browser session. */
export async function registerAction(_prev: FormState, form: FormData): Promise<FormState> {
  // Anyone can call an action with any arguments (its id is in the page): no form, no account.
  if (!(form instanceof FormData)) return notAForm();
  const values = { username: String(form.get("username") ?? "") };
  if (form.get("password") !== form.get("confirm")) {
    return { fields: { confirm: "The two passwords differ." }, values };
  }
  const invite = form.get("invite");
  const parsed = registerUserInput.safeParse({
    username: form.get("username"),
    password: form.get("password"),
    invite: typeof invite === "string" && invite !== "" ? invite : undefined,
  });
  if (!parsed.success) {
    const { fields, message } = describeZodError(parsed.error);
    // The invite is a hidden field: its problem is the form's, not a field's.
    return { error: fields.invite ? message : undefined, fields, values };
  }
  return startSessionWith((ctx, client) => registerUser(ctx, parsed.data, { client }), safeNextPath(form.get("next")), values);
}
