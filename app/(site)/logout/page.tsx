// GET /logout — the Log out button for the signed-in user; its server action (./actions.ts) revokes the session.
import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { getViewer } from "../../_shared/viewer";
import { logoutAction } from "./actions";

export const metadata: Metadata = { title: "Log out" };

// GET never logs out: the page shows a form that POSTs (server actions are checked against the
// page's origin, so another site cannot submit it).
export default async function LogoutPage() {
  const viewer = await getViewer();
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Log out</h1>
      <Card>
        {viewer ? (
          <form action={logoutAction} className="space-y-4">
            <p className="text-sm">
              You are signed in as <strong>{viewer.username}</strong>. Logging out ends this session everywhere: its token is revoked, not just forgotten by
              this browser.
            </p>
            <Button type="submit" className="w-full">
              Log out
            </Button>
          </form>
        ) : (
          <p className="text-sm">
            You are not signed in.{" "}
            <Link href="/login" className="text-accent underline">
              Log in
            </Link>
          </p>
        )}
      </Card>
    </div>
  );
}
