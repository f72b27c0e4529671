// GET /activities — published activities, newest first, keyset-paged (API clients get app/api/activities/route.ts).
import type { Metadata } from "next";
import { ActivityList } from "@/components/activity-list";
import { listActivities } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const metadata: Metadata = { title: "Activities" };

export default async function ActivitiesPage() {
  const page = await listActivities(await getContext(), { limit: 20 });
  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Activities</h1>
        <p className="text-stone-600">Signed ActivityPub activities this server has published, newest first.</p>
      </header>
      <ActivityList initialPage={page} />
    </div>
  );
}
