// GET / — the landing page: what this instance is, its fediverse handle, Register / Browse / Get the
// CLI, the live counts (each linked to its list) and the latest works. The README is at /about.
// API clients get the counts as JSON (app/api/stats/route.ts).
import Link from "next/link";
import { CopyButton } from "@/components/copy-button";
import { SiteStats } from "@/components/site-stats";
import { TimeStamp } from "@/components/time-stamp";
import { WorkPreview } from "@/components/work-preview";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { listAssets } from "@/lib/registry";
import { getContext } from "@/lib/runtime";
import { getSiteStats } from "@/lib/site";
import { getViewer } from "../_shared/viewer";

const RECENT = 6;

const primary =
  "inline-flex items-center justify-center rounded-md bg-accent px-4 py-2 text-sm font-medium text-white shadow-sm transition hover:bg-accent-dark focus:outline-none focus-visible:ring-2 focus-visible:ring-accent focus-visible:ring-offset-2";
const secondary =
  "inline-flex items-center justify-center rounded-md border border-stone-300 bg-white px-4 py-2 text-sm font-medium text-stone-800 shadow-sm transition hover:bg-stone-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-accent focus-visible:ring-offset-2";

export default async function HomePage() {
  const ctx = await getContext();
  const [viewer, stats, recent] = await Promise.all([getViewer(), getSiteStats(ctx), listAssets(ctx, { limit: RECENT })]);
  const handle = `@${ctx.config.primaryUser}@${ctx.config.domain}`;
  return (
    <div className="space-y-10">
      <section className="space-y-4" aria-labelledby="home-title">
        <h1 id="home-title" className="text-3xl font-semibold tracking-tight sm:text-4xl">
          Art DAG L2 <span className="text-stone-500">at {ctx.config.domain}</span>
        </h1>
        <p className="max-w-2xl text-lg text-stone-700">
          The ownership registry for generative art. Register a work by its content hash and this server publishes your signed claim: the fediverse can follow
          it and verify it, and it is anchored in Bitcoin through OpenTimestamps.
        </p>
        <div className="flex flex-wrap items-center gap-2 text-sm text-stone-700">
          <span>Follow this registry from Mastodon and other fediverse servers:</span>
          <code className="rounded bg-stone-100 px-2 py-1 font-mono" data-testid="instance-handle">
            {handle}
          </code>
          <CopyButton value={handle} label="Copy handle" />
        </div>
        <nav aria-label="Get started" className="flex flex-wrap gap-3 pt-2">
          {viewer ? (
            <>
              <Link href="/register-work" className={primary}>
                Register a work
              </Link>
              <Link href={`/users/${viewer.username}`} className={secondary}>
                Your works
              </Link>
            </>
          ) : (
            <Link href="/register" className={primary}>
              Register
            </Link>
          )}
          <Link href="/assets" className={secondary}>
            Browse works
          </Link>
          <Link href="/download/client" className={secondary}>
            Get the CLI
          </Link>
          <Link href="/about" className={secondary}>
            About
          </Link>
        </nav>
      </section>

      <section aria-labelledby="home-counts" className="space-y-3">
        <h2 id="home-counts" className="text-lg font-semibold">
          In this registry
        </h2>
        <SiteStats initial={stats} />
      </section>

      <section aria-labelledby="home-recent" className="space-y-3">
        <div className="flex items-baseline justify-between gap-4">
          <h2 id="home-recent" className="text-lg font-semibold">
            Latest works
          </h2>
          {recent.items.length > 0 ? (
            <Link href="/assets" className="text-sm text-accent underline">
              All works
            </Link>
          ) : null}
        </div>
        {recent.items.length === 0 ? (
          <EmptyState title="No works registered yet">
            <Link href="/register-work" className="text-accent underline">
              Register a work
            </Link>{" "}
            in the browser or with the{" "}
            <Link href="/download/client" className="text-accent underline">
              CLI
            </Link>
            : the file is hashed on your computer and the hash registered as yours.
          </EmptyState>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="recent-works">
            {recent.items.map((asset) => (
              <li key={asset.name}>
                <Card className="flex h-full gap-3 !p-4">
                  <WorkPreview work={asset} size="thumb" />
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium">
                      <Link href={`/asset/${encodeURIComponent(asset.name)}`} className="hover:underline">
                        {asset.name}
                      </Link>
                    </p>
                    <p className="mt-1 text-sm text-stone-600">
                      {asset.asset_type} by{" "}
                      <Link href={`/users/${asset.owner}`} className="text-accent underline">
                        {asset.owner}
                      </Link>
                    </p>
                    <p className="mt-1 flex items-center justify-between gap-2 text-xs text-stone-600">
                      <code className="font-mono" title={asset.content_hash}>
                        {asset.content_hash.slice(0, 12)}…
                      </code>
                      <TimeStamp iso={asset.created_at} />
                    </p>
                  </div>
                </Card>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
