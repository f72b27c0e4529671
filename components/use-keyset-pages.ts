"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { retryUnlessClientError, type Page } from "./api";

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
