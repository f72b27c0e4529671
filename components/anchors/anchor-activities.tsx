"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { retryUnlessClientError } from "../api";
import { NextPageControls } from "../keyset-list";
import { ErrorNotice } from "../ui/error-notice";
import { SkeletonRows } from "../ui/skeleton-rows";
import { fetchAnchor } from "./api";

/** The activities of one anchor, each linked to its page and its own `.ots` proof, keyset-paged. */
export function AnchorActivities({ root }: { root: string }) {
  const query = useInfiniteQuery({
    queryKey: ["anchor", root],
    queryFn: ({ pageParam }) => fetchAnchor(root, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.activities_next_cursor,
    retry: retryUnlessClientError,
  });
  if (query.isPending) return <SkeletonRows rows={1} />;
  if (query.isError && !query.data) return <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} />;
  const activities = query.data?.pages.flatMap((p) => p.activities) ?? [];
  if (activities.length === 0) return <p className="mt-2 text-sm text-stone-500">No activities.</p>;
  return (
    <div className="mt-2 space-y-2">
      <ul className="divide-y divide-stone-100 rounded-md border border-stone-200" data-testid="anchor-activities">
        {activities.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center justify-between gap-3 px-3 py-2 text-sm" data-testid="anchor-activity">
            <Link href={`/activity/${a.index}`} prefetch={false} className="text-accent underline">
              Activity #{a.index}
            </Link>
            <a href={a.ots_url} download className="text-xs font-medium text-accent underline">
              Download .ots
            </a>
          </li>
        ))}
      </ul>
      <NextPageControls query={query} />
    </div>
  );
}
