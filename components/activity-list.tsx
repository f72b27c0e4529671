"use client";

import Link from "next/link";
import type { ActivitySummary } from "@/lib/registry";
import { fetchActivities, type Page } from "./api";
import { TimeStamp } from "./time-stamp";
import { useKeysetPages } from "./use-keyset-pages";
import { Badge } from "./ui/badge";
import { EmptyState } from "./ui/empty-state";
import { ErrorNotice } from "./ui/error-notice";
import { LoadMoreButton } from "./ui/load-more-button";
import { SkeletonRows } from "./ui/skeleton-rows";

const PAGE_SIZE = 20;


/** Published activities, newest first, with "Load more" over the keyset cursor. */
export function ActivityList({ initialPage }: { initialPage: Page<ActivitySummary> }) {
  const { query, items } = useKeysetPages(["activities"], (cursor) => fetchActivities({ cursor, limit: PAGE_SIZE }), initialPage);
  if (query.isPending) return <SkeletonRows />;
  if (query.isError && items.length === 0) return <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} />;
  if (items.length === 0) {
    return (
      <EmptyState title="No activities yet">
        Every asset registration publishes one signed <code>Create</code> activity; they appear here, newest first.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4">
      <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white shadow-sm">
        <table className="w-full text-sm" data-testid="activity-list">
          <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">#</th>
              <th scope="col" className="px-4 py-2 font-medium">Type</th>
              <th scope="col" className="px-4 py-2 font-medium">Actor</th>
              <th scope="col" className="px-4 py-2 font-medium">Object</th>
              <th scope="col" className="px-4 py-2 font-medium">Published</th>
              <th scope="col" className="px-4 py-2 font-medium">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {items.map((a) => (
              <tr key={a.index} data-testid="activity-row" className="hover:bg-stone-50">
                <td className="px-4 py-2.5 tabular-nums text-stone-500">{a.index}</td>
                <td className="px-4 py-2.5">
                  <Badge tone="neutral">{a.type}</Badge>
                </td>
                <td className="px-4 py-2.5">
                  <Link href={`/users/${encodeURIComponent(a.actor)}`} prefetch={false} className="hover:text-accent hover:underline">
                    {a.actor}
                  </Link>
                </td>
                <td className="max-w-[16rem] truncate px-4 py-2.5" title={a.object_name ?? undefined}>
                  {a.object_name ? (
                    <Link href={`/asset/${encodeURIComponent(a.object_name)}`} prefetch={false} className="font-medium hover:text-accent hover:underline">
                      {a.object_name}
                    </Link>
                  ) : (
                    <span className="text-stone-400">—</span>
                  )}
                </td>
                <td className="px-4 py-2.5 text-stone-600">
                  <TimeStamp iso={a.published} />
                </td>
                <td className="px-4 py-2.5 text-right">
                  <Link href={`/activity/${a.index}`} prefetch={false} className="whitespace-nowrap text-accent hover:underline">
                    View →
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {query.isFetchNextPageError ? <ErrorNotice message={query.error?.message ?? "unknown error"} onRetry={() => void query.fetchNextPage()} /> : null}
      <LoadMoreButton hasMore={query.hasNextPage} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} />
    </div>
  );
}
