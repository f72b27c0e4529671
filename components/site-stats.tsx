"use client";

import { useQuery } from "@tanstack/react-query";
import type { SiteStats as Stats } from "@/lib/site";
import { fetchSiteStats } from "./api";

const LABELS: Record<keyof Stats, string> = { users: "Users", assets: "Assets", activities: "Activities", followers: "Followers", anchors: "Anchors" };

/** The home page's counts, refreshed live. */
export function SiteStats({ initial }: { initial: Stats }) {
  const { data } = useQuery({ queryKey: ["site-stats"], queryFn: fetchSiteStats, initialData: initial, refetchInterval: 10_000 });
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
      {(Object.keys(LABELS) as (keyof Stats)[]).map((key) => (
        <div key={key} className="rounded-xl border border-stone-200 bg-white p-4 shadow-sm">
          <dt className="text-xs font-medium uppercase tracking-wide text-stone-500">{LABELS[key]}</dt>
          <dd className="mt-1 text-3xl font-semibold tabular-nums" data-testid={`stat-${key}`}>
            {data[key]}
          </dd>
        </div>
      ))}
    </dl>
  );
}
