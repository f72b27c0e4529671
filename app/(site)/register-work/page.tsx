// GET /register-work — register a work in the browser: the file is hashed here (components/register-work.tsx) and POST /assets signs the claim.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { RegisterWork } from "@/components/register-work";
import { Card } from "@/components/ui/card";
import { ASSET_TYPES } from "@/lib/registry";
import { getViewer } from "../../_shared/viewer";

export const metadata: Metadata = { title: "Register a work" };

export default async function RegisterWorkPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/login?next=/register-work");
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Register a work</h1>
        <p className="text-stone-600">
          Your file is hashed on this computer (SHA3-256) and never uploaded: the registry records the hash as yours, {viewer.username}, in a claim it signs and
          publishes. The first claim on a hash wins. From a terminal, the{" "}
          <Link href="/download/client" className="text-accent underline">
            CLI
          </Link>{" "}
          does the same.
        </p>
      </header>
      <Card>
        <RegisterWork assetTypes={ASSET_TYPES} />
      </Card>
    </div>
  );
}
