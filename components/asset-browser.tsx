"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import type { AssetView } from "@/lib/registry";
import { fetchAssets, retryUnlessClientError, type Page } from "./api";
import { ASSET_PAGE_SIZE, readAssetFilters, sameFilters, type AssetFilters } from "./asset-filters";
import { shortHash } from "./format";
import { TagChips } from "./tag-chips";
import { TimeStamp } from "./time-stamp";
import { WorkPreview } from "./work-preview";
import { Badge } from "./ui/badge";
import { EmptyState } from "./ui/empty-state";
import { ErrorNotice } from "./ui/error-notice";
import { Field } from "./ui/field";
import { LoadMoreButton } from "./ui/load-more-button";
import { SelectField } from "./ui/select-field";
import { SkeletonRows } from "./ui/skeleton-rows";

const TYPING_DELAY_MS = 300;

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
  return settled;
}

/** Pages of assets for a set of filters, starting from the page the server rendered. */
function useAssetPages(filters: AssetFilters, initial: { filters: AssetFilters; page: Page<AssetView> }) {
  return useInfiniteQuery({
    queryKey: ["assets", filters],
    queryFn: ({ pageParam }) => fetchAssets({ ...filters, cursor: pageParam, limit: ASSET_PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    retry: retryUnlessClientError,
    initialData: sameFilters(filters, initial.filters) ? { pages: [initial.page], pageParams: [null] } : undefined,
    placeholderData: keepPreviousData,
  });
}

/**
 * Replaces the page's query string (no navigation, no server round trip) so the current view can be
 * shared; Next's router picks the change up through useSearchParams.
 */
function useUrlFilters(pathname: string) {
  return useCallback(
    (patch: Partial<Record<keyof AssetFilters, string>>) => {
      const params = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(patch)) {
        if (value) params.set(key, value);
        else params.delete(key);
      }
      const qs = params.toString();
      const url = qs ? `${pathname}?${qs}` : pathname;
      if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, "", url);
    },
    [pathname],
  );
}

function describeFilters(f: AssetFilters, fixedOwner: string | undefined): string {
  const parts: string[] = [];
  if (f.q) parts.push(`matching “${f.q}”`);
  if (f.type) parts.push(`of type ${f.type}`);
  if (f.tag) parts.push(`tagged “${f.tag}”`);
  if (f.owner && !fixedOwner) parts.push(`owned by ${f.owner}`);
  return parts.join(" ");
}

/**
 * The searchable, filterable list of assets (product.md §8). Filters live in the URL; with
 * `fixedOwner` it lists one user's assets (their profile) and the owner is not a filter.
 */
export function AssetBrowser({
  assetTypes,
  initialFilters,
  initialPage,
  fixedOwner,
  registerUrl,
}: {
  assetTypes: readonly string[];
  /** Where POST /assets lives on this server, for the empty state's hint. */
  registerUrl: string;
  initialFilters: AssetFilters;
  initialPage: Page<AssetView>;
  fixedOwner?: string;
}) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const fromUrl = readAssetFilters((k) => searchParams.get(k), assetTypes);
  const filters: AssetFilters = fixedOwner ? { ...fromUrl, owner: fixedOwner } : fromUrl;
  const writeUrl = useUrlFilters(pathname);

  // What the person is typing; it reaches the URL (and the query) once they pause.
  const [qInput, setQInput] = useState(filters.q);
  const [tagInput, setTagInput] = useState(filters.tag);
  const [seen, setSeen] = useState({ q: filters.q, tag: filters.tag });
  if (seen.q !== filters.q || seen.tag !== filters.tag) {
    // The URL changed under us (back/forward, a link): show its values in the inputs.
    setSeen({ q: filters.q, tag: filters.tag });
    if (qInput.trim() !== filters.q) setQInput(filters.q);
    if (tagInput.trim() !== filters.tag) setTagInput(filters.tag);
  }
  const typedQ = useDebounced(qInput, TYPING_DELAY_MS);
  const typedTag = useDebounced(tagInput, TYPING_DELAY_MS);
  useEffect(() => writeUrl({ q: typedQ.trim() }), [typedQ, writeUrl]);
  useEffect(() => writeUrl({ tag: typedTag.trim() }), [typedTag, writeUrl]);

  const query = useAssetPages(filters, { filters: initialFilters, page: initialPage });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(filters.q || filters.type || filters.tag || (filters.owner && !fixedOwner));
  const refreshing = query.isFetching && !query.isFetchingNextPage;
  // A failed first load (not a failed "Load more") has nothing to list: show the error alone.
  const failed = query.isError && !query.isFetchNextPageError && (!query.data || query.isPlaceholderData);

  const clearAll = () => {
    setQInput("");
    setTagInput("");
    writeUrl({ q: "", type: "", tag: "", ...(fixedOwner ? {} : { owner: "" }) });
  };
  const selectTag = (tag: string) => {
    setTagInput(tag);
    writeUrl({ tag });
  };

  return (
    <div className="space-y-4" data-testid="asset-browser">
      <form
        role="search"
        onSubmit={(e) => e.preventDefault()}
        className="grid gap-3 rounded-xl border border-stone-200 bg-white p-4 shadow-sm sm:grid-cols-[1fr_11rem_12rem]"
      >
        <Field
          id="asset-q"
          label="Search"
          type="search"
          placeholder="Name, exact tag or content hash"
          value={qInput}
          maxLength={200}
          onChange={(e) => setQInput(e.target.value)}
        />
        <SelectField
          id="asset-type"
          label="Type"
          value={filters.type}
          onChange={(e) => writeUrl({ type: e.target.value })}
          options={[{ value: "", label: "All types" }, ...assetTypes.map((t) => ({ value: t, label: t }))]}
        />
        <Field id="asset-tag" label="Tag" type="search" placeholder="Any tag" value={tagInput} maxLength={64} onChange={(e) => setTagInput(e.target.value)} />
      </form>

      <div className="flex min-h-6 flex-wrap items-center justify-between gap-2 text-sm text-stone-600">
        <p aria-live="polite" data-testid="asset-count">
          {query.isPending || refreshing
            ? "Loading…"
            : failed
              ? "Could not load assets."
              : `${items.length} ${items.length === 1 ? "asset" : "assets"}${filtered ? ` ${describeFilters(filters, fixedOwner)}` : ""}${query.hasNextPage ? " shown, more to load" : ""}`}
        </p>
        <div className="flex items-center gap-2">
          {filters.owner && !fixedOwner ? (
            <button
              type="button"
              onClick={() => writeUrl({ owner: "" })}
              className="rounded-full border border-stone-300 bg-white px-2.5 py-0.5 text-xs hover:bg-stone-100"
              title="Show every owner"
            >
              owner: {filters.owner} ✕
            </button>
          ) : null}
          {filtered ? (
            <button type="button" onClick={clearAll} className="text-accent underline">
              Clear filters
            </button>
          ) : null}
        </div>
      </div>

      {query.isError && !query.isFetchNextPageError && !refreshing ? <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} /> : null}

      {query.isPending ? (
        <SkeletonRows />
      ) : failed ? null : items.length === 0 ? (
        <AssetsEmpty
          registerUrl={registerUrl}
          filtered={filtered}
          description={describeFilters(filters, fixedOwner)}
          fixedOwner={fixedOwner}
          onClear={clearAll}
        />
      ) : (
        <ul
          className={`divide-y divide-stone-200 overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm transition-opacity ${query.isPlaceholderData ? "opacity-60" : ""}`}
          data-testid="asset-list"
        >
          {items.map((asset) => (
            <AssetRow key={asset.content_hash} asset={asset} onSelectTag={fixedOwner ? undefined : selectTag} />
          ))}
        </ul>
      )}

      {query.isFetchNextPageError ? <ErrorNotice message={query.error?.message ?? "unknown error"} onRetry={() => void query.fetchNextPage()} /> : null}
      <LoadMoreButton hasMore={query.hasNextPage && !query.isPlaceholderData} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} />
    </div>
  );
}

// Row links do not prefetch: every page is dynamic, so each prefetch would be a server render per
// visible link.
function AssetRow({ asset, onSelectTag }: { asset: AssetView; onSelectTag?: (tag: string) => void }) {
  return (
    <li className="flex gap-3 px-4 py-3" data-testid="asset-row">
      <WorkPreview work={asset} size="thumb" />
      <div className="min-w-0 flex-1 space-y-2">
        <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
          <div className="flex min-w-0 items-baseline gap-2">
            <Link href={`/asset/${encodeURIComponent(asset.name)}`} prefetch={false} className="break-all font-medium text-ink hover:text-accent underline">
              {asset.name}
            </Link>
            <Badge>{asset.asset_type}</Badge>
            {asset.provenance ? <Badge tone="green">recorded run</Badge> : null}
          </div>
          <TimeStamp iso={asset.created_at} className="text-xs text-stone-500" />
        </div>
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
          <TagChips tags={asset.tags} onSelect={onSelectTag} />
          <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-500">
            <span>
              owner{" "}
              <Link href={`/users/${encodeURIComponent(asset.owner)}`} prefetch={false} className="text-stone-700 hover:text-accent underline">
                {asset.owner}
              </Link>
            </span>
            <span title={asset.content_hash}>
              sha3-256 <code className="font-mono text-stone-700">{shortHash(asset.content_hash)}</code>
            </span>
          </p>
        </div>
      </div>
    </li>
  );
}

function AssetsEmpty({
  registerUrl,
  filtered,
  description,
  fixedOwner,
  onClear,
}: {
  registerUrl: string;
  filtered: boolean;
  description: string;
  fixedOwner?: string;
  onClear: () => void;
}) {
  if (filtered) {
    return (
      <EmptyState title={`No assets ${description}.`}>
        <button type="button" onClick={onClear} className="text-accent underline">
          Clear the filters
        </button>{" "}
        to see {fixedOwner ? `all of ${fixedOwner}'s assets` : "every asset"}.
      </EmptyState>
    );
  }
  const howTo = (
    <p>
      Works are registered in the browser at{" "}
      <Link href="/register-work" className="text-accent underline">
        Register a work
      </Link>
      , or with the{" "}
      <Link href="/download/client" className="text-accent underline">
        CLI
      </Link>
      .
    </p>
  );
  if (fixedOwner) return <EmptyState title={`${fixedOwner} has not registered any assets yet.`}>{howTo}</EmptyState>;
  return (
    <EmptyState title="No assets yet">
      {howTo}
      <p className="mt-2">
        Or through the API, with the token that <code className="rounded bg-stone-100 px-1">POST /auth/register</code> or{" "}
        <code className="rounded bg-stone-100 px-1">POST /auth/login</code> gave you:
      </p>
      <pre tabIndex={0} className="mx-auto mt-3 w-fit max-w-full overflow-x-auto rounded-lg bg-stone-900 p-3 text-left font-mono text-xs text-stone-100">
        {`curl -X POST ${registerUrl} \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"name": "cat",
       "content_hash": "<SHA3-256 of the file, 64 hex>",
       "asset_type": "image",
       "tags": ["cats"]}'`}
      </pre>
    </EmptyState>
  );
}
