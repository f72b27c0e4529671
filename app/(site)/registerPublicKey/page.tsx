// GET /registerPublicKey?key=did:key:… — BIN-2's one-click registration. Rendering stores nothing;
// only the Confirm button's same-origin POST to /auth/client-keys does.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { RegisterKeyConfirm } from "@/components/client-keys";
import { Card } from "@/components/ui/card";
import { clientDidKeyDefect, findClientKeyOwner } from "@/lib/clients";
import { getContext } from "@/lib/runtime";
import { getViewer } from "../../_shared/viewer";

export const metadata: Metadata = { title: "Register a client key" };

type SearchParams = Record<string, string | string[] | undefined>;

/** Encoded for a query string, but with `:` kept, so a did:key reads as the link the client printed. */
function queryPart(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ":");
}

/** This page's own URL (path and query), to come back to after logging in. */
function selfUrl(params: SearchParams): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) pairs.push(`${queryPart(name)}=${queryPart(v)}`);
  }
  return pairs.length ? `/registerPublicKey?${pairs.join("&")}` : "/registerPublicKey";
}

export default async function RegisterPublicKeyPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const viewer = await getViewer();
  if (!viewer) redirect(`/login?next=${encodeURIComponent(selfUrl(params))}`);
  const raw = params.key;
  const key = typeof raw === "string" ? raw.trim() : "";
  const defect = Array.isArray(raw)
    ? "The link names more than one key; open the exact link your client printed."
    : !key
      ? "The link names no key. Open the exact link your client printed: /registerPublicKey?key=did:key:z6Mk…"
      : key.length > 128
        ? "This is not a client key: a did:key is much shorter."
        : clientDidKeyDefect(key);
  const owner = defect ? null : await findClientKeyOwner(await getContext(), key);
  // The label the client proposes (the CLI: its computer's name); the person may change it.
  const proposedLabel = typeof params.label === "string" ? params.label.trim().slice(0, 100) : "";
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Register a client key</h1>
      <Card>
        {defect ? (
          <div role="alert" className="space-y-2" data-testid="register-key-invalid">
            <p className="font-medium text-red-700">This link cannot register a key.</p>
            <p className="text-sm text-stone-700">{defect}</p>
          </div>
        ) : (
          <div className="space-y-4">
            <div className="space-y-1">
              <p className="text-sm font-medium text-stone-700">Key</p>
              <code className="block break-all rounded-md bg-stone-100 px-3 py-2 font-mono text-sm" data-testid="register-key-did">
                {key}
              </code>
            </div>
            {owner === viewer.username ? (
              <p role="status" className="text-sm text-emerald-700" data-testid="register-key-already">
                This key is already registered for you. Return to your terminal and press Enter.
              </p>
            ) : (
              <RegisterKeyConfirm didKey={key} username={viewer.username} proposedLabel={proposedLabel} />
            )}
          </div>
        )}
      </Card>
      <p className="text-sm text-stone-600">
        Your keys:{" "}
        <Link href="/settings/clients" className="text-accent underline">
          Client keys
        </Link>
      </p>
    </div>
  );
}
