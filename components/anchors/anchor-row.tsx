"use client";

import { useState } from "react";
import { formatTime } from "../format";
import { TimeStamp } from "../time-stamp";
import { Badge } from "../ui/badge";
import { StackedFact } from "../ui/facts";
import type { AnchorCalendarView, AnchorView } from "./api";
import { AnchorActions } from "./anchor-actions";
import { AnchorActivities } from "./anchor-activities";
import { AnchorStateBadge, shortRoot } from "./anchor-status";

/** One anchor: its root and state, its times, its calendars, its activities on demand, and (signed in) its proof actions. */
export function AnchorRow({ anchor, signedIn }: { anchor: AnchorView; signedIn: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    // The id makes `/anchors/ui#<root>` (linked from activity and asset pages) land on this row.
    <li
      id={anchor.root}
      data-testid="anchor-row"
      data-root={anchor.root}
      className="scroll-mt-6 rounded-xl border border-stone-200 bg-white p-5 shadow-sm target:ring-2 target:ring-accent"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <code className="font-mono text-sm" title={anchor.root} data-testid="anchor-root">
              {shortRoot(anchor.root)}
            </code>
            <AnchorStateBadge anchor={anchor} />
          </div>
          <p className="text-sm text-stone-600">
            <span className="tabular-nums" data-testid="anchor-count">
              {anchor.activity_count}
            </span>{" "}
            {anchor.activity_count === 1 ? "activity" : "activities"}
            {anchor.state === "confirmed" && anchor.block_time ? <> · block time {formatTime(anchor.block_time)}</> : null}
          </p>
        </div>
        {signedIn ? <AnchorActions root={anchor.root} /> : null}
      </div>

      <dl className="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-4">
        <StackedFact label="Created">
          <Time iso={anchor.created_at} />
        </StackedFact>
        <StackedFact label="Submitted">
          <Time iso={anchor.submitted_at} />
        </StackedFact>
        <StackedFact label="Upgraded">
          <Time iso={anchor.upgraded_at} />
        </StackedFact>
        <StackedFact label="Confirmed">
          <Time iso={anchor.confirmed_at} />
        </StackedFact>
      </dl>

      {anchor.calendars.length > 0 ? <CalendarTable calendars={anchor.calendars} /> : null}

      {anchor.last_error ? (
        <p className="mt-3 text-sm text-red-700" data-testid="anchor-last-error">
          Last error: {anchor.last_error}
        </p>
      ) : null}

      <div className="mt-4">
        <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} className="text-sm font-medium text-accent underline">
          {open ? "Hide activities" : `Show activities (${anchor.activity_count})`}
        </button>
        {open ? <AnchorActivities root={anchor.root} /> : null}
      </div>
    </li>
  );
}

function Time({ iso }: { iso: string | null }) {
  return iso ? <TimeStamp iso={iso} /> : <span className="text-stone-500">—</span>;
}

const CALENDAR_TONE: Record<AnchorCalendarView["state"], "green" | "accent" | "neutral"> = { complete: "green", pending: "accent", failed: "neutral" };

/** Each OpenTimestamps calendar the root went to: its state, attempts, and when it answered or why it failed. */
function CalendarTable({ calendars }: { calendars: AnchorCalendarView[] }) {
  return (
    <div className="mt-4 overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="anchor-calendars">
        <thead className="text-xs uppercase tracking-wide text-stone-500">
          <tr>
            <th className="py-1.5 pr-4 font-medium">Calendar</th>
            <th className="py-1.5 pr-4 font-medium">State</th>
            <th className="py-1.5 pr-4 font-medium">Attempts</th>
            <th className="py-1.5 font-medium">Answered / error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {calendars.map((c) => (
            <tr key={c.url} data-testid="anchor-calendar">
              <td className="break-all py-1.5 pr-4 font-mono text-xs">{c.url}</td>
              <td className="py-1.5 pr-4">
                <Badge tone={CALENDAR_TONE[c.state] ?? "neutral"}>{c.state}</Badge>
              </td>
              <td className="py-1.5 pr-4 tabular-nums">{c.attempts}</td>
              <td className="py-1.5 text-xs text-stone-600">
                {c.error ? <span className="text-red-700">{c.error}</span> : c.answered_at ? <TimeStamp iso={c.answered_at} /> : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
