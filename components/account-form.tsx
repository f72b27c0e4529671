"use client";

import Link from "next/link";
import { useActionState } from "react";
import type { FormState } from "./form-state";
import { Button } from "./ui/button";
import { Field } from "./ui/field";

type Action = (prev: FormState, form: FormData) => Promise<FormState>;

/**
 * The login and registration forms: errors beside their fields, the username kept on failure. A
 * registration through an invite carries it along, and an invite for one name fixes the username.
 */
export function AccountForm({
  mode,
  action,
  next,
  invite,
  fixedUsername,
}: {
  mode: "login" | "register";
  action: Action;
  next: string;
  invite?: string;
  fixedUsername?: string;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const register = mode === "register";
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      {invite ? <input type="hidden" name="invite" value={invite} /> : null}
      {state.error ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="form-error">
          {state.error}
        </p>
      ) : null}
      <Field
        id="username"
        name="username"
        label="Username"
        autoComplete="username"
        defaultValue={fixedUsername ?? state.values?.username ?? ""}
        readOnly={fixedUsername !== undefined}
        error={state.fields?.username}
        hint={fixedUsername !== undefined ? "Your invite is for this name." : register ? "1–32 characters: a–z, 0–9 and _. It becomes your handle." : undefined}
        required
        autoFocus={fixedUsername === undefined}
      />
      <Field
        id="password"
        name="password"
        type="password"
        label="Password"
        autoComplete={register ? "new-password" : "current-password"}
        error={state.fields?.password}
        hint={register ? "At least 8 characters." : undefined}
        required
      />
      {register ? (
        <Field id="confirm" name="confirm" type="password" label="Repeat password" autoComplete="new-password" error={state.fields?.confirm} required />
      ) : null}
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? (register ? "Creating account…" : "Signing in…") : register ? "Create account" : "Log in"}
      </Button>
      <p className="text-center text-sm text-stone-600">
        {register ? (
          <>
            Already registered?{" "}
            <Link className="text-accent underline" href={`/login?next=${encodeURIComponent(next)}`}>
              Log in
            </Link>
          </>
        ) : (
          <>
            New here?{" "}
            <Link className="text-accent underline" href={`/register?next=${encodeURIComponent(next)}`}>
              Create an account
            </Link>
          </>
        )}
      </p>
    </form>
  );
}
