"use client";

import Link from "next/link";
import type { ActivitySummary } from "@/lib/registry";
import { fetchActivities, type Page } from "./api";
import { KeysetTable, type KeysetColumn } from "./keyset-list";
import { TimeStamp } from "./time-stamp";
import { Badge } from "./ui/badge";
import { EmptyState } from "./ui/empty-state";

const PAGE_SIZE = 20;

const COLUMNS: readonly KeysetColumn<ActivitySummary>[] = [
  { header: "#", cellClassName: "px-4 py-2.5 tabular-nums text-stone-500", cell: (a) => a.index },
  { header: "Type", cell: (a) => <Badge tone="neutral">{a.type}</Badge> },
  {
    header: "Actor",
    cell: (a) => (
      <Link href={`/users/${encodeURIComponent(a.actor)}`} prefetch={false} className="hover:text-accent underline">
        {a.actor}
      </Link>
    ),
  },
  {
    header: "Object",
    cellClassName: "max-w-[16rem] truncate px-4 py-2.5",
    cellTitle: (a) => a.object_name ?? undefined,
    cell: (a) =>
      a.object_name ? (
        <Link href={`/asset/${encodeURIComponent(a.object_name)}`} prefetch={false} className="font-medium hover:text-accent underline">
          {a.object_name}
        </Link>
      ) : (
        <span className="text-stone-500">—</span>
      ),
  },
  { header: "Published", cellClassName: "px-4 py-2.5 text-stone-600", cell: (a) => <TimeStamp iso={a.published} /> },
  {
    header: <span className="sr-only">Details</span>,
    cellClassName: "px-4 py-2.5 text-right",
    cell: (a) => (
      <Link href={`/activity/${a.index}`} prefetch={false} className="whitespace-nowrap text-accent underline">
        View →
      </Link>
    ),
  },
];

/** Published activities, newest first, with "Load more" over the keyset cursor. */
export function ActivityList({ initialPage }: { initialPage: Page<ActivitySummary> }) {
  return (
    <KeysetTable
      queryKey={["activities"]}
      fetchPage={(cursor) => fetchActivities({ cursor, limit: PAGE_SIZE })}
      initialPage={initialPage}
      columns={COLUMNS}
      rowKey={(a) => a.index}
      testId="activity-list"
      rowTestId="activity-row"
      empty={
        <EmptyState title="No activities yet">
          Every asset registration publishes one signed <code>Create</code> activity; they appear here, newest first.
        </EmptyState>
      }
    />
  );
}
