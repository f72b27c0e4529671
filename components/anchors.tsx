"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type ButtonHTMLAttributes, type ReactNode } from "react";
import { retryUnlessClientError } from "./api";
import {
  anchorNow,
  fetchAnchor,
  fetchAnchors,
  upgradeAnchor,
  verifyAnchor,
  type AnchorPage,
  type AnchorView,
  type AnchorCalendarView,
} from "./anchors-api";
import { AnchorStateBadge, shortRoot } from "./anchors-status";
import { formatTime } from "./format";
import { TimeStamp } from "./time-stamp";
import { useKeysetPages } from "./use-keyset-pages";
import { Badge } from "./ui/badge";
import { Button } from "./ui/button";
import { Card } from "./ui/card";
import { EmptyState } from "./ui/empty-state";
import { ErrorNotice } from "./ui/error-notice";
import { LoadMoreButton } from "./ui/load-more-button";
import { SkeletonRows } from "./ui/skeleton-rows";

const PAGE_SIZE = 20;
const LIST_KEY = ["anchors"] as const;

/** How many anchors exist in each state, and how many activities wait for the next batch. */
export interface AnchorSummaryCounts {
  unanchored: number;
  pending: number;
  confirmed: number;
}

function Spinner() {
  return <span aria-hidden className="mr-2 inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}

function SecondaryButton({ busy, children, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean }) {
  return (
    <button
      type="button"
      {...props}
      disabled={busy || props.disabled}
      aria-busy={busy || undefined}
      className="inline-flex items-center rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-700 shadow-sm hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-accent disabled:cursor-wait disabled:opacity-60"
    >
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
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
        <div key={key} className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
          <dt className="text-xs font-medium uppercase tracking-wide text-stone-500">{label}</dt>
          <dd className="mt-1 text-3xl font-semibold tabular-nums" data-testid={`anchors-${key}`}>
            {counts[key]}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** After a write: reload the list and the server-rendered counts (and anchor states elsewhere). */
function useRefreshAnchors() {
  const queryClient = useQueryClient();
  const router = useRouter();
  return () => {
    void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    router.refresh();
  };
}

/** When the next batch happens without anyone asking, as the end of a sentence. */
function nextBatchPhrase(intervalMinutes: number): string {
  if (intervalMinutes === 0) return "only when someone presses Anchor now (no periodic batches are configured)";
  const every = intervalMinutes === 1 ? "minute" : intervalMinutes % 60 === 0 ? (intervalMinutes === 60 ? "hour" : `${intervalMinutes / 60} hours`) : `${intervalMinutes} minutes`;
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
        <Button type="button" onClick={() => mutation.mutate()} disabled={mutation.isPending} aria-busy={mutation.isPending || undefined}>
          {mutation.isPending ? (
            <>
              <Spinner />
              Anchoring…
            </>
          ) : (
            "Anchor now"
          )}
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

function AnchorList({ initialPage, signedIn }: { initialPage: AnchorPage; signedIn: boolean }) {
  const { query, items } = useKeysetPages<AnchorView>(LIST_KEY, (cursor) => fetchAnchors({ cursor, limit: PAGE_SIZE }), initialPage);
  const linked = useLinkedRoot();
  if (query.isPending) return <SkeletonRows />;
  if (query.isError && items.length === 0) return <ErrorNotice message={query.error.message} onRetry={() => void query.refetch()} />;
  if (items.length === 0) {
    return (
      <EmptyState title="No anchors yet">
        Published activities are batched into a merkle tree whose root is timestamped in Bitcoin through OpenTimestamps; each batch appears
        here, first pending, then confirmed at a block.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4">
      {linked !== null && !items.some((a) => a.root === linked) ? <LinkedAnchor root={linked} signedIn={signedIn} /> : null}
      <ul className="space-y-4" data-testid="anchor-list">
        {items.map((anchor) => (
          <AnchorRow key={anchor.root} anchor={anchor} signedIn={signedIn} />
        ))}
      </ul>
      {query.isFetchNextPageError ? <ErrorNotice message={query.error?.message ?? "unknown error"} onRetry={() => void query.fetchNextPage()} /> : null}
      <LoadMoreButton hasMore={query.hasNextPage} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} />
    </div>
  );
}

/** The merkle root named by the URL's fragment (`/anchors/ui#<root>`, as activity pages link), or null. */
function useLinkedRoot(): string | null {
  const [root, setRoot] = useState<string | null>(null);
  useEffect(() => {
    const read = () => {
      const hash = window.location.hash.slice(1).toLowerCase();
      setRoot(/^[0-9a-f]{64}$/.test(hash) ? hash : null);
    };
    read();
    window.addEventListener("hashchange", read);
    return () => window.removeEventListener("hashchange", read);
  }, []);
  return root;
}

/**
 * A linked anchor that is not on the loaded pages (an older batch): fetched on its own and shown
 * above the list, so the link from an activity page always lands on its anchor.
 */
function LinkedAnchor({ root, signedIn }: { root: string; signedIn: boolean }) {
  // Under LIST_KEY, so the refresh after Upgrade / Verify reloads it too.
  const query = useQuery({ queryKey: [...LIST_KEY, "linked", root], queryFn: () => fetchAnchor(root), retry: retryUnlessClientError });
  const found = query.isSuccess;
  useEffect(() => {
    if (found) document.getElementById(root)?.scrollIntoView();
  }, [found, root]);
  if (query.isPending) return <SkeletonRows rows={1} />;
  if (query.isError) return <ErrorNotice message={query.error.message} />;
  return (
    <section aria-label="Linked anchor" className="space-y-2" data-testid="linked-anchor">
      <h2 className="text-xs font-medium uppercase tracking-wide text-stone-500">Linked anchor</h2>
      <ul>
        <AnchorRow anchor={query.data} signedIn={signedIn} />
      </ul>
    </section>
  );
}

function Time({ iso }: { iso: string | null }) {
  return iso ? <TimeStamp iso={iso} /> : <span className="text-stone-400">—</span>;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-stone-500">{label}</dt>
      <dd className="mt-0.5 text-sm">{children}</dd>
    </div>
  );
}

const CALENDAR_TONE: Record<AnchorCalendarView["state"], "green" | "accent" | "neutral"> = { complete: "green", pending: "accent", failed: "neutral" };

function AnchorRow({ anchor, signedIn }: { anchor: AnchorView; signedIn: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    // The id makes `/anchors/ui#<root>` (linked from activity and asset pages) land on this row.
    <li id={anchor.root} data-testid="anchor-row" data-root={anchor.root} className="scroll-mt-6 rounded-xl border border-stone-200 bg-white p-5 shadow-sm target:ring-2 target:ring-accent">
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
        <Fact label="Created">
          <Time iso={anchor.created_at} />
        </Fact>
        <Fact label="Submitted">
          <Time iso={anchor.submitted_at} />
        </Fact>
        <Fact label="Upgraded">
          <Time iso={anchor.upgraded_at} />
        </Fact>
        <Fact label="Confirmed">
          <Time iso={anchor.confirmed_at} />
        </Fact>
      </dl>

      {anchor.calendars.length > 0 ? (
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
              {anchor.calendars.map((c) => (
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
      ) : null}

      {anchor.last_error ? (
        <p className="mt-3 text-sm text-red-700" data-testid="anchor-last-error">
          Last error: {anchor.last_error}
        </p>
      ) : null}

      <div className="mt-4">
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          className="text-sm font-medium text-accent hover:underline"
        >
          {open ? "Hide activities" : `Show activities (${anchor.activity_count})`}
        </button>
        {open ? <AnchorActivities root={anchor.root} /> : null}
      </div>
    </li>
  );
}

/** Upgrade and Verify, each with its own progress and its answer shown beside it. */
function AnchorActions({ root }: { root: string }) {
  const refresh = useRefreshAnchors();
  const upgrade = useMutation({ mutationFn: () => upgradeAnchor(root), onSuccess: refresh });
  const verify = useMutation({ mutationFn: () => verifyAnchor(root), onSuccess: refresh });
  return (
    <div className="flex flex-col items-end gap-2 text-right">
      <div className="flex gap-2">
        <SecondaryButton busy={upgrade.isPending} onClick={() => upgrade.mutate()}>
          {upgrade.isPending ? "Upgrading…" : "Upgrade"}
        </SecondaryButton>
        <SecondaryButton busy={verify.isPending} onClick={() => verify.mutate()}>
          {verify.isPending ? "Verifying…" : "Verify"}
        </SecondaryButton>
      </div>
      <div aria-live="polite" className="max-w-sm space-y-1 text-sm">
        {upgrade.isSuccess ? (
          <p data-testid="anchor-upgrade-result" className={upgrade.data.changed ? "text-emerald-700" : "text-stone-600"}>
            {upgrade.data.changed
              ? upgrade.data.anchor.state === "confirmed"
                ? `Upgraded: confirmed at block ${upgrade.data.anchor.block_height ?? "?"}.`
                : "Upgraded: the calendars answered with more of the proof."
              : upgrade.data.anchor.state === "confirmed"
                ? "Unchanged: already confirmed."
                : "Unchanged: the calendars have no Bitcoin attestation yet."}
          </p>
        ) : null}
        {upgrade.isError ? (
          <p role="alert" data-testid="anchor-upgrade-result" className="text-red-700">
            Upgrade failed: {upgrade.error.message}
          </p>
        ) : null}
        {verify.isSuccess ? (
          verify.data.verified ? (
            <p data-testid="anchor-verify-result" className="text-emerald-700">
              ✓ Verified in Bitcoin block {verify.data.block_height ?? "?"}
              {verify.data.block_time ? ` at ${formatTime(verify.data.block_time)}` : ""}
            </p>
          ) : (
            <p role="alert" data-testid="anchor-verify-result" className="text-red-700">
              Not verified: {verify.data.message}
            </p>
          )
        ) : null}
        {verify.isError ? (
          <p role="alert" data-testid="anchor-verify-result" className="text-red-700">
            Verification failed: {verify.error.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** The activities of one anchor, each linked to its page and its own `.ots` proof, keyset-paged. */
function AnchorActivities({ root }: { root: string }) {
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
            <Link href={`/activity/${a.index}`} prefetch={false} className="text-accent hover:underline">
              Activity #{a.index}
            </Link>
            <a href={a.ots_url} download className="text-xs font-medium text-accent hover:underline">
              Download .ots
            </a>
          </li>
        ))}
      </ul>
      {query.isFetchNextPageError ? <ErrorNotice message={query.error?.message ?? "unknown error"} onRetry={() => void query.fetchNextPage()} /> : null}
      <LoadMoreButton hasMore={query.hasNextPage} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} />
    </div>
  );
}
