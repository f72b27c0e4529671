"use client";

// The anchors feature (product.md §7). Pages import two entries: this one, the body of /anchors/ui,
// and ./anchor-status, what an activity or asset page shows. No index re-exports both: a server page
// importing such a barrel would load this client module's code even where it only shows a status.
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { Button } from "../ui/button";
import { Card } from "../ui/card";
import { StatTile } from "../ui/stat-tile";
import { anchorNow, type AnchorPage } from "./api";
import { AnchorList } from "./anchor-list";
import { shortRoot } from "./anchor-status";
import { useRefreshAnchors } from "./use-refresh-anchors";

/** How many anchors exist in each state, and how many activities wait for the next batch. */
export interface AnchorSummaryCounts {
  unanchored: number;
  pending: number;
  confirmed: number;
}

/**
 * The anchor management page's body: counts, "Anchor now" for signed-in people, and every anchor
 * with its calendars, times, activities and its Upgrade and Verify buttons.
 */
export function AnchorManager({
  initialPage,
  counts,
  signedIn,
  intervalMinutes,
}: {
  initialPage: AnchorPage;
  counts: AnchorSummaryCounts;
  signedIn: boolean;
  /** ANCHOR_INTERVAL_MINUTES: how often batches are made without anyone asking (0 = never). */
  intervalMinutes: number;
}) {
  return (
    <div className="space-y-6">
      <AnchorSummary counts={counts} />
      {signedIn ? (
        <AnchorNowPanel waiting={counts.unanchored} intervalMinutes={intervalMinutes} />
      ) : (
        <Card>
          <p className="text-sm" data-testid="anchors-sign-in">
            <Link href="/login?next=/anchors/ui" className="text-accent underline">
              Log in
            </Link>{" "}
            to anchor waiting activities now, or to upgrade and verify proofs.
          </p>
        </Card>
      )}
      <AnchorList initialPage={initialPage} signedIn={signedIn} />
    </div>
  );
}

function AnchorSummary({ counts }: { counts: AnchorSummaryCounts }) {
  const stats: [keyof AnchorSummaryCounts, string][] = [
    ["unanchored", "Activities waiting"],
    ["pending", "Anchors pending"],
    ["confirmed", "Anchors confirmed"],
  ];
  return (
    <dl className="grid grid-cols-1 gap-4 sm:grid-cols-3">
      {stats.map(([key, label]) => (
        <StatTile key={key} label={label} value={counts[key]} testId={`anchors-${key}`} />
      ))}
    </dl>
  );
}

/** When the next batch happens without anyone asking, as the end of a sentence. */
function nextBatchPhrase(intervalMinutes: number): string {
  if (intervalMinutes === 0) return "only when someone presses Anchor now (no periodic batches are configured)";
  const every =
    intervalMinutes === 1
      ? "minute"
      : intervalMinutes % 60 === 0
        ? intervalMinutes === 60
          ? "hour"
          : `${intervalMinutes / 60} hours`
        : `${intervalMinutes} minutes`;
  return `in the next batch (every ${every}), or at once with Anchor now`;
}

function AnchorNowPanel({ waiting, intervalMinutes }: { waiting: number; intervalMinutes: number }) {
  const refresh = useRefreshAnchors();
  const mutation = useMutation({ mutationFn: anchorNow, onSuccess: refresh });
  return (
    <Card>
      <div className="flex flex-wrap items-center justify-between gap-4">
        <p className="max-w-2xl text-sm text-stone-600">
          {waiting === 0
            ? `Every activity is in a batch. New activities are anchored ${nextBatchPhrase(intervalMinutes)}.`
            : `${waiting === 1 ? "One activity is" : `${waiting} activities are`} waiting, to be anchored ${nextBatchPhrase(intervalMinutes)}. A batch puts every waiting activity into one merkle tree and submits its root to the OpenTimestamps calendars.`}
        </p>
        <Button type="button" onClick={() => mutation.mutate()} busy={mutation.isPending}>
          {mutation.isPending ? "Anchoring…" : "Anchor now"}
        </Button>
      </div>
      <div aria-live="polite">
        {mutation.isSuccess ? (
          <p className="mt-3 text-sm text-emerald-700" data-testid="anchor-now-result">
            {mutation.data.anchor ? (
              <>
                Anchored {mutation.data.anchor.activity_count} {mutation.data.anchor.activity_count === 1 ? "activity" : "activities"} in batch{" "}
                <a href={`#${mutation.data.anchor.root}`} className="font-mono underline" title={mutation.data.anchor.root}>
                  {shortRoot(mutation.data.anchor.root)}
                </a>
                .
              </>
            ) : (
              (mutation.data.message ?? "Nothing to anchor.")
            )}
          </p>
        ) : null}
        {mutation.isError ? (
          <p role="alert" className="mt-3 text-sm text-red-700" data-testid="anchor-now-result">
            Anchoring failed: {mutation.error.message}
          </p>
        ) : null}
      </div>
    </Card>
  );
}
