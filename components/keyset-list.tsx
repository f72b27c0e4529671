"use client";

// Keyset-paged lists (`{items, next_cursor}`) that start from the server-rendered first page: the
// hook, the loading / failed / empty states every such list shows, the "Load more" footer, and the
// table the activity and user lists are drawn as.
import { useInfiniteQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { retryUnlessClientError, type Page } from "./api";
import { ErrorNotice } from "./ui/error-notice";
import { LoadMoreButton } from "./ui/load-more-button";
import { SkeletonRows } from "./ui/skeleton-rows";

/**
 * Pages of a keyset-paged list (`{items, next_cursor}`), starting from the server-rendered first
 * page; `fetchPage` gets the cursor of the page to load.
 */
export function useKeysetPages<T>(key: readonly unknown[], fetchPage: (cursor: string | null) => Promise<Page<T>>, initialPage: Page<T>) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    retry: retryUnlessClientError,
    initialData: { pages: [initialPage], pageParams: [null] },
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { query, items };
}

/** The part of an infinite query the footer reads. */
interface NextPageState {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: Error | null;
  fetchNextPage: () => Promise<unknown>;
}

/** Under a paged list: why the next page failed (with a retry), then "Load more" while there is one. */
export function NextPageControls({ query }: { query: NextPageState }) {
  return (
    <>
      {query.isFetchNextPageError ? <ErrorNotice message={query.error?.message ?? "unknown error"} onRetry={() => void query.fetchNextPage()} /> : null}
      <LoadMoreButton hasMore={query.hasNextPage} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} />
    </>
  );
}

/** Where a keyset list's pages come from. */
export interface KeysetSource<T> {
  /** The React Query key; invalidating it reloads every loaded page. */
  queryKey: readonly unknown[];
  fetchPage: (cursor: string | null) => Promise<Page<T>>;
  initialPage: Page<T>;
}

type KeysetListProps<T> = KeysetSource<T> & {
  /** What the list shows when it has nothing (an EmptyState saying how that changes). */
  empty: ReactNode;
};

/**
 * A keyset-paged list: placeholder rows while loading, the error with a retry when nothing loaded,
 * `empty` when there is nothing, else `children(items)` above the next-page footer.
 */
export function KeysetList<T>({ queryKey, fetchPage, initialPage, empty, children }: KeysetListProps<T> & { children: (items: T[]) => ReactNode }) {
  const { query, items } = useKeysetPages(queryKey, fetchPage, initialPage);
  if (query.isPending) return <SkeletonRows />;
  if (query.isError && items.length === 0) return <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} />;
  if (items.length === 0) return empty;
  return (
    <div className="space-y-4">
      {children(items)}
      <NextPageControls query={query} />
    </div>
  );
}

/** One column of a KeysetTable. */
export interface KeysetColumn<T> {
  header: ReactNode;
  /** The header cell's classes; `px-4 py-2 font-medium` unless given. */
  headerClassName?: string;
  /** Each body cell's classes; `px-4 py-2.5` unless given. */
  cellClassName?: string;
  /** A body cell's tooltip, for content the cell may cut off. */
  cellTitle?: (item: T) => string | undefined;
  cell: (item: T) => ReactNode;
}

/** A keyset-paged list drawn as a table: one row per item (`rowTestId`), one cell per column. */
export function KeysetTable<T>({
  columns,
  rowKey,
  testId,
  rowTestId,
  ...list
}: KeysetListProps<T> & { columns: readonly KeysetColumn<T>[]; rowKey: (item: T) => string | number; testId: string; rowTestId: string }) {
  return (
    <KeysetList {...list}>
      {(items) => (
        <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white shadow-sm">
          <table className="w-full text-sm" data-testid={testId}>
            <thead className="bg-stone-50 text-left text-xs uppercase tracking-wide text-stone-500">
              <tr>
                {columns.map((column, i) => (
                  <th key={i} scope="col" className={column.headerClassName ?? "px-4 py-2 font-medium"}>
                    {column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {items.map((item) => (
                <tr key={rowKey(item)} data-testid={rowTestId} className="hover:bg-stone-50">
                  {columns.map((column, i) => (
                    <td key={i} className={column.cellClassName ?? "px-4 py-2.5"} title={column.cellTitle?.(item)}>
                      {column.cell(item)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </KeysetList>
  );
}
