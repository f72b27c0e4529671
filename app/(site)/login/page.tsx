// GET /login — the login form; its server action (./actions.ts) starts the browser session and goes on to ?next.
import type { Metadata } from "next";
import Link from "next/link";
import { AccountForm } from "@/components/account-form";
import { Card } from "@/components/ui/card";
import { getViewer, safeNextPath } from "../../_shared/viewer";
import { loginAction } from "./actions";

export const metadata: Metadata = { title: "Log in" };

export default async function Page({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNextPath((await searchParams).next);
  const viewer = await getViewer();
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Log in</h1>
      <Card>
        {viewer ? (
          <p className="text-sm">
            You are signed in as <strong>{viewer.username}</strong>.{" "}
            <Link href="/logout" className="text-accent underline">
              Log out
            </Link>{" "}
            to use another account.
          </p>
        ) : (
          <AccountForm mode="login" action={loginAction} next={next} />
        )}
      </Card>
    </div>
  );
}
