"use client";

import { useQuery } from "@tanstack/react-query";
import type { SiteStats as Stats } from "@/lib/site";
import { fetchSiteStats } from "./api";
import { StatTile } from "./ui/stat-tile";

const LABELS: Record<keyof Stats, string> = { users: "Users", assets: "Assets", activities: "Activities", followers: "Followers", anchors: "Anchors" };

/** Where each count's list is (followers are listed per user, on each profile). */
const LISTS: Partial<Record<keyof Stats, string>> = { users: "/users", assets: "/assets", activities: "/activities", anchors: "/anchors/ui" };

/** The home page's counts, refreshed live, each linked to its list. */
export function SiteStats({ initial }: { initial: Stats }) {
  const { data } = useQuery({ queryKey: ["site-stats"], queryFn: fetchSiteStats, initialData: initial, refetchInterval: 10_000 });
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
      {(Object.keys(LABELS) as (keyof Stats)[]).map((key) => (
        <StatTile key={key} label={LABELS[key]} value={data[key]} testId={`stat-${key}`} href={LISTS[key]} />
      ))}
    </dl>
  );
}
