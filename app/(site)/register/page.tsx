import type { Metadata } from "next";
import Link from "next/link";
import { AccountForm } from "@/components/account-form";
import { Card } from "@/components/ui/card";
import { checkInvite, type Invite } from "@/lib/accounts";
import { isAppError } from "@/lib/errors";
import { getContext } from "@/lib/runtime";
import { getViewer, safeNextPath } from "../../_shared/viewer";
import { registerAction } from "./actions";

export const metadata: Metadata = { title: "Create an account" };

/** Why the form is not shown (REGISTRATION and the invite in the link), or null to show it. */
async function refusal(inviteToken: string | undefined): Promise<{ reason: string; invite: Invite | null }> {
  const ctx = await getContext();
  const mode = ctx.config.registration;
  if (mode === "closed") return { reason: "Registration is closed on this server: the operator creates accounts.", invite: null };
  if (!inviteToken) {
    return mode === "invite"
      ? { reason: "Registration on this server is by invitation: open the invite link the operator gave you.", invite: null }
      : { reason: "", invite: null };
  }
  try {
    return { reason: "", invite: await checkInvite(ctx, inviteToken) };
  } catch (err) {
    if (isAppError(err)) return { reason: err.message, invite: null };
    throw err;
  }
}

export default async function Page({ searchParams }: { searchParams: Promise<{ next?: string; invite?: string | string[] }> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const inviteToken = typeof params.invite === "string" && params.invite !== "" ? params.invite : undefined;
  const viewer = await getViewer();
  const { reason, invite } = viewer ? { reason: "", invite: null } : await refusal(inviteToken);
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Create an account</h1>
      <Card>
        {viewer ? (
          <p className="text-sm">
            You are signed in as <strong>{viewer.username}</strong>.{" "}
            <Link href="/logout" className="text-accent underline">
              Log out
            </Link>{" "}
            to use another account.
          </p>
        ) : reason ? (
          <p className="text-sm" data-testid="registration-refused">
            {reason}{" "}
            <Link href={`/login?next=${encodeURIComponent(next)}`} className="text-accent underline">
              Log in
            </Link>{" "}
            if you have an account.
          </p>
        ) : (
          <AccountForm
            mode="register"
            action={registerAction}
            next={next}
            invite={invite ? inviteToken : undefined}
            fixedUsername={invite?.username ?? undefined}
          />
        )}
      </Card>
    </div>
  );
}
