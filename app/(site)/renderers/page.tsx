// GET /renderers — each configured L1 renderer with Attach / Detach (API clients get app/api/renderers/route.ts).
import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { TimeStamp } from "@/components/time-stamp";
import { listRenderers } from "@/lib/renderers";
import { getContext } from "@/lib/runtime";
import { getViewer } from "../../_shared/viewer";

export const metadata: Metadata = { title: "Renderers" };

// Plain HTML forms: attaching ends in a 303 to the renderer, which only a native form submission
// follows as a page navigation. The token travels in that redirect, never in this page.
export default async function RenderersPage() {
  const viewer = await getViewer();
  return (
    <div className="space-y-6">
      <section className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">Renderers</h1>
        <p className="max-w-3xl text-stone-600">
          L1 renderers run recipes for you. Attaching logs you in to a renderer with a token that works for that renderer only; detaching or logging out here
          revokes it at once, even if the renderer ignores the notice.
        </p>
      </section>
      {viewer ? <RendererTable username={viewer.username} /> : <SignInPrompt />}
    </div>
  );
}

function SignInPrompt() {
  return (
    <Card>
      <p className="text-sm">
        <Link href="/login?next=/renderers" className="text-accent underline">
          Log in
        </Link>{" "}
        to attach to a renderer.
      </p>
    </Card>
  );
}

async function RendererTable({ username }: { username: string }) {
  const renderers = await listRenderers(await getContext(), username);
  if (renderers.length === 0) {
    return <EmptyState title="No renderers configured">The operator lists renderers in L1_SERVERS.</EmptyState>;
  }
  return (
    <Card className="p-0">
      <ul className="divide-y divide-stone-200">
        {renderers.map((r) => (
          <li key={r.l1_server} data-testid="renderer-row" className="flex flex-wrap items-center justify-between gap-4 px-6 py-4">
            <div className="min-w-0 space-y-1">
              <p className="truncate font-mono text-sm">{r.l1_server}</p>
              <p className="text-xs text-stone-500">
                {r.attached && r.attached_at ? (
                  <>
                    <Badge tone="green">attached</Badge> since <TimeStamp iso={r.attached_at} />
                  </>
                ) : (
                  <Badge tone="neutral">not attached</Badge>
                )}
              </p>
            </div>
            <form method="post" action={r.attached ? "/renderers/detach" : "/renderers/attach"}>
              <input type="hidden" name="l1_server" value={r.l1_server} />
              {r.attached ? (
                <div className="flex gap-2">
                  <a
                    href={r.l1_server}
                    className="inline-flex items-center rounded-md border border-stone-300 px-3 py-2 text-sm hover:bg-stone-100"
                    rel="noreferrer"
                  >
                    Open
                  </a>
                  <button type="submit" className="inline-flex items-center rounded-md border border-red-300 px-3 py-2 text-sm text-red-700 hover:bg-red-50">
                    Detach
                  </button>
                </div>
              ) : (
                <Button type="submit">Attach</Button>
              )}
            </form>
          </li>
        ))}
      </ul>
    </Card>
  );
}
