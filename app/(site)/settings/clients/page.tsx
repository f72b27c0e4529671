// GET /settings/clients — the did:keys authorized to act as the signed-in user, with Add and Remove
// (BIN-2, product.md §6).
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ClientKeyManager } from "@/components/client-keys";
import { listClientKeys } from "@/lib/clients";
import { getContext } from "@/lib/runtime";
import { getViewer } from "../../../_shared/viewer";

export const metadata: Metadata = { title: "Client keys" };

export default async function ClientKeysPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/login?next=/settings/clients");
  const page = await listClientKeys(await getContext(), viewer.username);
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">Client keys</h1>
        <p className="max-w-3xl text-stone-600">
          Each key here lets one client — the Art DAG CLI, say — act as <strong>{viewer.username}</strong> by signing its requests (Moo-Auth-1). The private
          half never leaves that client. Removing a key stops the client at once.
        </p>
      </header>
      <ClientKeyManager initialPage={page} />
    </div>
  );
}
