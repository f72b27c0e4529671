// GET /assets — every asset, newest first, with search and type / tag / owner filters (API clients get app/api/assets/route.ts).
import type { Metadata } from "next";
import { AssetBrowser } from "@/components/asset-browser";
import { ASSET_PAGE_SIZE, firstParam, readAssetFilters } from "@/components/asset-filters";
import { ASSET_TYPES, listAssets } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const metadata: Metadata = { title: "Assets" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function AssetsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const filters = readAssetFilters((k) => firstParam(params, k), ASSET_TYPES);
  const ctx = await getContext();
  const page = await listAssets(ctx, {
    q: filters.q || undefined,
    type: filters.type || undefined,
    tag: filters.tag || undefined,
    owner: filters.owner || undefined,
    limit: ASSET_PAGE_SIZE,
  });
  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Assets</h1>
        <p className="text-stone-600">Every registered asset, newest first: each one a signed ownership claim on a content hash.</p>
      </header>
      <AssetBrowser assetTypes={ASSET_TYPES} initialFilters={filters} initialPage={page} registerUrl={`${ctx.config.baseUrl}/assets`} />
    </div>
  );
}
