"use client";

import Link from "next/link";
import type { UserSummary } from "@/lib/accounts";
import { fetchUsers, type Page } from "./api";
import { TimeStamp } from "./time-stamp";
import { useKeysetPages } from "./use-keyset-pages";
import { EmptyState } from "./ui/empty-state";
import { ErrorNotice } from "./ui/error-notice";
import { LoadMoreButton } from "./ui/load-more-button";
import { SkeletonRows } from "./ui/skeleton-rows";

const PAGE_SIZE = 50;


/** Registered users, newest first, with "Load more" over the keyset cursor. */
export function UserList({ initialPage }: { initialPage: Page<UserSummary> }) {
  const { query, items } = useKeysetPages(["users"], (cursor) => fetchUsers({ cursor, limit: PAGE_SIZE }), initialPage);
  if (query.isPending) return <SkeletonRows />;
  if (query.isError && items.length === 0) return <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} />;
  if (items.length === 0) {
    return (
      <EmptyState title="No users yet">
        <Link href="/register" className="text-accent underline">
          Create the first account
        </Link>{" "}
        or use <code>POST /auth/register</code>.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4">
      <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white shadow-sm">
        <table className="w-full text-sm" data-testid="user-list">
          <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
            <tr>
              <th scope="col" className="w-1/2 px-4 py-2 font-medium">User</th>
              <th scope="col" className="w-24 px-4 py-2 text-right font-medium">Assets</th>
              <th scope="col" className="px-4 py-2 pl-10 font-medium">Joined</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {items.map((u) => (
              <tr key={u.username} data-testid="user-row" className="hover:bg-stone-50">
                <td className="px-4 py-2.5">
                  <Link href={`/users/${encodeURIComponent(u.username)}`} prefetch={false} className="font-medium hover:text-accent hover:underline">
                    {u.username}
                  </Link>
                </td>
                <td className="px-4 py-2.5 text-right tabular-nums">{u.asset_count}</td>
                <td className="px-4 py-2.5 pl-10 text-stone-600">
                  <TimeStamp iso={u.created_at} />
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
