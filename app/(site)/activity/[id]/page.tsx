// GET /activity/{index or id} — one activity: its checks, anchor, deliveries and signed JSON (API clients get
// app/activities/[ref]).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AnchorStatus } from "@/components/anchors/anchor-status";
import { DeliveryTable } from "@/components/delivery-table";
import { JsonBlock } from "@/components/json-block";
import { ProofStatus, SignatureStatus } from "@/components/signature-status";
import { TimeStamp } from "@/components/time-stamp";
import { Badge } from "@/components/ui/badge";
import { Fact, Facts } from "@/components/ui/facts";
import { SectionCard } from "@/components/ui/section-card";
import { getActivityAnchor } from "@/lib/anchors";
import { listDeliveries } from "@/lib/federation";
import { checkActivityProof, checkActivitySignature, getActivity } from "@/lib/registry";
import { getContext } from "@/lib/runtime";
import { pagePathParam } from "@/lib/http";

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Activity ${pagePathParam((await params).id) ?? ""}` };
}

/** The claimed object's name and id, when the activity carries one. */
function objectOf(json: Record<string, unknown>): { name: string | null; id: string | null } {
  const object = json.object;
  if (!object || typeof object !== "object") return { name: null, id: typeof object === "string" ? object : null };
  const { name, id } = object as Record<string, unknown>;
  return { name: typeof name === "string" ? name : null, id: typeof id === "string" ? id : null };
}

export default async function ActivityPage({ params }: { params: Params }) {
  const ref = pagePathParam((await params).id);
  if (!ref) notFound();
  const ctx = await getContext();
  const activity = await getActivity(ctx, ref);
  if (!activity) notFound();
  const [check, proofCheck, deliveries, anchored] = await Promise.all([
    checkActivitySignature(ctx, activity),
    checkActivityProof(ctx, activity),
    listDeliveries(ctx, String(activity.json.id)),
    getActivityAnchor(ctx, activity.activityId),
  ]);
  const object = objectOf(activity.json);

  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <p className="text-sm text-stone-500">
          <Link href="/activities" className="hover:text-accent underline">
            Activities
          </Link>{" "}
          /
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">Activity #{activity.index}</h1>
          <Badge tone="neutral">{activity.json.type}</Badge>
        </div>
        <div className="flex flex-wrap gap-2">
          <SignatureStatus check={check} />
          <ProofStatus check={proofCheck} />
        </div>
      </header>

      <SectionCard title="Details">
        <Facts>
          <Fact label="Id">
            <code className="break-all font-mono text-xs">{activity.json.id}</code>
          </Fact>
          <Fact label="Actor">
            <Link href={`/users/${encodeURIComponent(activity.actor)}`} className="font-medium text-accent underline" data-testid="activity-actor">
              {activity.actor}
            </Link>
            <code className="mt-0.5 block break-all font-mono text-xs text-stone-500">{activity.json.actor}</code>
          </Fact>
          <Fact label="Published">
            <TimeStamp iso={activity.published} />
          </Fact>
          <Fact label="Asset">
            {object.name ? (
              <Link href={`/asset/${encodeURIComponent(object.name)}`} className="break-all font-medium text-accent underline" data-testid="activity-asset">
                {object.name}
              </Link>
            ) : (
              <span className="text-stone-500">none</span>
            )}
            {object.id ? <code className="mt-0.5 block break-all font-mono text-xs text-stone-500">{object.id}</code> : null}
          </Fact>
          {check.verified ? (
            <Fact label="Signed by">
              <code className="break-all font-mono text-xs">{check.creator}</code>
            </Fact>
          ) : null}
        </Facts>
      </SectionCard>

      <SectionCard title="Anchor" testId="anchor">
        <AnchorStatus anchor={anchored.anchor} otsUrl={anchored.ots_url} />
      </SectionCard>

      <SectionCard
        title="Deliveries"
        aside={
          <a href={`/activities/${activity.activityId}/deliveries`} className="text-sm text-accent underline">
            As JSON →
          </a>
        }
      >
        <DeliveryTable deliveries={deliveries} />
      </SectionCard>

      <SectionCard
        title="Signed JSON"
        aside={
          <a href={`/activities/${activity.activityId}`} className="text-sm text-accent underline">
            Exact stored bytes →
          </a>
        }
      >
        <JsonBlock value={activity.json} label="Activity JSON" testId="activity-json" />
      </SectionCard>
    </div>
  );
}
