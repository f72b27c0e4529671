"use client";

import Link from "next/link";
import type { UserSummary } from "@/lib/accounts";
import { fetchUsers, type Page } from "./api";
import { KeysetTable, type KeysetColumn } from "./keyset-list";
import { TimeStamp } from "./time-stamp";
import { EmptyState } from "./ui/empty-state";

const PAGE_SIZE = 50;

const COLUMNS: readonly KeysetColumn<UserSummary>[] = [
  {
    header: "User",
    headerClassName: "w-1/2 px-4 py-2 font-medium",
    cell: (u) => (
      <Link href={`/users/${encodeURIComponent(u.username)}`} prefetch={false} className="font-medium hover:text-accent underline">
        {u.username}
      </Link>
    ),
  },
  {
    header: "Assets",
    headerClassName: "w-24 px-4 py-2 text-right font-medium",
    cellClassName: "px-4 py-2.5 text-right tabular-nums",
    cell: (u) => u.asset_count,
  },
  {
    header: "Joined",
    headerClassName: "px-4 py-2 pl-10 font-medium",
    cellClassName: "px-4 py-2.5 pl-10 text-stone-600",
    cell: (u) => <TimeStamp iso={u.created_at} />,
  },
];

/** Registered users, newest first, with "Load more" over the keyset cursor. */
export function UserList({ initialPage }: { initialPage: Page<UserSummary> }) {
  return (
    <KeysetTable
      queryKey={["users"]}
      fetchPage={(cursor) => fetchUsers({ cursor, limit: PAGE_SIZE })}
      initialPage={initialPage}
      columns={COLUMNS}
      rowKey={(u) => u.username}
      testId="user-list"
      rowTestId="user-row"
      empty={
        <EmptyState title="No users yet">
          <Link href="/register" className="text-accent underline">
            Create the first account
          </Link>{" "}
          or use <code>POST /auth/register</code>.
        </EmptyState>
      }
    />
  );
}
