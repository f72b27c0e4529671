// GET /asset/{name} — one asset: content, metadata, provenance, its signed claim and anchor (API clients get
// app/assets/[name]).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AnchorStatus } from "@/components/anchors/anchor-status";
import { CopyButton } from "@/components/copy-button";
import { JsonBlock } from "@/components/json-block";
import { readProvenance } from "@/components/provenance";
import { ProvenanceGraph } from "@/components/provenance-graph";
import { RunFacts } from "@/components/run-facts";
import { SignatureStatus } from "@/components/signature-status";
import { TagChips } from "@/components/tag-chips";
import { TimeStamp } from "@/components/time-stamp";
import { WorkPreview } from "@/components/work-preview";
import { Badge } from "@/components/ui/badge";
import { Fact, Facts } from "@/components/ui/facts";
import { SectionCard } from "@/components/ui/section-card";
import { getActivityAnchor } from "@/lib/anchors";
import { checkActivitySignature, getActivity, getAsset } from "@/lib/registry";
import { getContext } from "@/lib/runtime";
import { pagePathParam } from "@/lib/http";

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: pagePathParam((await params).name) ?? "Asset" };
}

/** Only http(s) URLs become links; anything else is shown as text. */
function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export default async function AssetPage({ params }: { params: Params }) {
  const name = pagePathParam((await params).name);
  if (!name) notFound();
  const ctx = await getContext();
  const asset = await getAsset(ctx, name);
  if (!asset) notFound();
  const activity = await getActivity(ctx, String(asset.activity_index));
  const [check, anchored] = activity ? await Promise.all([checkActivitySignature(ctx, activity), getActivityAnchor(ctx, activity.activityId)]) : [null, null];
  const provenance = asset.provenance ? readProvenance(asset.provenance) : null;

  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <p className="text-sm text-stone-500">
          <Link href="/assets" className="hover:text-accent underline">
            Assets
          </Link>{" "}
          /
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="break-all text-2xl font-semibold tracking-tight" data-testid="asset-name">
            {asset.name}
          </h1>
          <Badge>{asset.asset_type}</Badge>
          {provenance ? <Badge tone="green">recorded run</Badge> : null}
        </div>
        <p className="text-sm text-stone-600">
          Owned by{" "}
          <Link href={`/users/${encodeURIComponent(asset.owner)}`} className="font-medium text-accent underline" data-testid="asset-owner">
            {asset.owner}
          </Link>
          , registered <TimeStamp iso={asset.created_at} />
        </p>
      </header>

      <WorkPreview work={asset} size="full" />

      <SectionCard title="Content">
        <Facts>
          <Fact label="Content hash">
            <div className="flex items-start gap-3">
              <code className="min-w-0 break-all rounded bg-stone-100 px-2 py-1 font-mono text-xs leading-relaxed" data-testid="asset-hash">
                {asset.content_hash}
              </code>
              <CopyButton value={asset.content_hash} />
            </div>
            <span className="mt-1 block text-xs text-stone-500">SHA3-256</span>
          </Fact>
          <Fact label="Type">{asset.asset_type}</Fact>
          <Fact label="Tags">
            <TagChips tags={asset.tags} />
          </Fact>
          {asset.url ? (
            <Fact label="URL">
              {isWebUrl(asset.url) ? (
                <a href={asset.url} rel="noopener noreferrer nofollow" target="_blank" className="break-all text-accent underline">
                  {asset.url}
                </a>
              ) : (
                <span className="break-all">{asset.url}</span>
              )}
            </Fact>
          ) : null}
          {asset.ipfs_cid ? (
            <Fact label="IPFS CID">
              <code className="break-all font-mono text-xs">{asset.ipfs_cid}</code>
            </Fact>
          ) : null}
          <Fact label="Owner">
            <Link href={`/users/${encodeURIComponent(asset.owner)}`} className="text-accent underline">
              {asset.owner}
            </Link>
          </Fact>
          <Fact label="Registered">
            <TimeStamp iso={asset.created_at} />
          </Fact>
        </Facts>
      </SectionCard>

      <SectionCard title="Metadata">
        {Object.keys(asset.metadata).length === 0 ? (
          <p className="text-sm text-stone-500">No metadata.</p>
        ) : (
          <JsonBlock value={asset.metadata} label="Metadata" testId="asset-metadata" />
        )}
      </SectionCard>

      {provenance ? (
        <SectionCard title="Provenance" testId="provenance">
          <p className="text-sm text-stone-600">Recorded from a completed run on an L1 renderer: the inputs it read, the recipe it ran, the output it made.</p>
          <ProvenanceGraph provenance={provenance} output={asset} />
          <RunFacts provenance={provenance} />
        </SectionCard>
      ) : null}

      <SectionCard
        title="Signed claim"
        aside={
          activity ? (
            <Link href={`/activity/${activity.index}`} className="text-sm text-accent underline">
              Activity #{activity.index} →
            </Link>
          ) : null
        }
      >
        {activity && check ? (
          <>
            <SignatureStatus check={check} />
            <p className="text-sm text-stone-600">
              The <code>Create</code> activity that claims this content hash for {asset.owner}, exactly as signed and published.
            </p>
            <JsonBlock value={activity.json} label="Signed activity" testId="asset-activity" />
          </>
        ) : (
          <p className="text-sm text-red-700">The activity that claims this asset is missing.</p>
        )}
      </SectionCard>

      {anchored ? (
        <SectionCard title="Anchor" testId="anchor">
          <p className="text-sm text-stone-600">The signed claim above, timestamped in Bitcoin through OpenTimestamps.</p>
          <AnchorStatus anchor={anchored.anchor} otsUrl={anchored.ots_url} />
        </SectionCard>
      ) : null}
    </div>
  );
}
