// GET /users/{username} — a user's profile and assets (ActivityPub and API clients get app/api/users/[username]).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AssetBrowser } from "@/components/asset-browser";
import { ASSET_PAGE_SIZE, firstParam, readAssetFilters } from "@/components/asset-filters";
import { CopyButton } from "@/components/copy-button";
import { TimeStamp } from "@/components/time-stamp";
import { Fact, Facts } from "@/components/ui/facts";
import { SectionCard } from "@/components/ui/section-card";
import { getUserProfile } from "@/lib/accounts";
import { ASSET_TYPES, listAssets } from "@/lib/registry";
import { getContext } from "@/lib/runtime";
import { pagePathParam } from "@/lib/http";

type Params = Promise<{ username: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: pagePathParam((await params).username) || "User" };
}

export default async function UserPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const username = pagePathParam((await params).username);
  if (!username) notFound();
  const ctx = await getContext();
  const profile = await getUserProfile(ctx, username);
  if (!profile) notFound();
  const search = await searchParams;
  const filters = { ...readAssetFilters((k) => firstParam(search, k), ASSET_TYPES), owner: profile.username };
  const page = await listAssets(ctx, {
    q: filters.q || undefined,
    type: filters.type || undefined,
    tag: filters.tag || undefined,
    owner: profile.username,
    limit: ASSET_PAGE_SIZE,
  });

  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <p className="text-sm text-stone-500">
          <Link href="/users" className="hover:text-accent underline">
            Users
          </Link>{" "}
          /
        </p>
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="profile-username">
          {profile.username}
        </h1>
        <p className="text-stone-600">
          {profile.asset_count} {profile.asset_count === 1 ? "asset" : "assets"} · joined <TimeStamp iso={profile.created_at} />
        </p>
      </header>

      <SectionCard title="Profile">
        <Facts>
          <Fact label="Username">{profile.username}</Fact>
          <Fact label="Actor id">
            <div className="flex items-start gap-3">
              <code className="min-w-0 break-all font-mono text-xs leading-relaxed" data-testid="profile-actor-id">
                {profile.actor_id}
              </code>
              <CopyButton value={profile.actor_id} />
            </div>
          </Fact>
          <Fact label="Joined">
            <TimeStamp iso={profile.created_at} />
          </Fact>
          <Fact label="Assets">
            <span data-testid="profile-asset-count">{profile.asset_count}</span>
          </Fact>
        </Facts>
      </SectionCard>

      <section className="space-y-3" aria-label="Assets">
        <h2 className="text-lg font-semibold tracking-tight">Assets</h2>
        <AssetBrowser
          assetTypes={ASSET_TYPES}
          initialFilters={filters}
          initialPage={page}
          fixedOwner={profile.username}
          registerUrl={`${ctx.config.baseUrl}/assets`}
        />
      </section>
    </div>
  );
}
