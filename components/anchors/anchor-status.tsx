import Link from "next/link";
import { formatTime } from "../format";
import { Badge } from "../ui/badge";
import type { AnchorView } from "./api";

/** The start of a merkle root, for lists; show the full root in a title beside it. */
export function shortRoot(root: string): string {
  return root.length > 16 ? `${root.slice(0, 16)}…` : root;
}

/** "Pending" or "Confirmed at block N". */
export function AnchorStateBadge({ anchor }: { anchor: Pick<AnchorView, "state" | "block_height"> }) {
  return (
    <span data-testid="anchor-state">
      {anchor.state === "confirmed" ? <Badge tone="green">Confirmed at block {anchor.block_height ?? "?"}</Badge> : <Badge>Pending</Badge>}
    </span>
  );
}

function calendarHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Where one activity stands in OpenTimestamps anchoring (product.md §7): not yet batched, pending
 * in a batch (with its calendars), or confirmed in a Bitcoin block; with links to the batch on
 * /anchors/ui and to the activity's own `.ots` proof.
 */
export function AnchorStatus({ anchor, otsUrl }: { anchor: AnchorView | null; otsUrl: string | null }) {
  if (!anchor) {
    return (
      <p className="text-sm text-stone-600" data-testid="anchor-status" data-state="unanchored">
        Not yet anchored — waiting for the next batch.
      </p>
    );
  }
  return (
    <div className="space-y-3" data-testid="anchor-status" data-state={anchor.state}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <AnchorStateBadge anchor={anchor} />
        {anchor.state === "confirmed" ? (
          <span>
            Confirmed in Bitcoin block <span className="font-medium tabular-nums">{anchor.block_height ?? "?"}</span>
            {anchor.block_time ? ` (${formatTime(anchor.block_time)})` : null}
          </span>
        ) : (
          <span>
            Pending in batch{" "}
            <code className="font-mono text-xs" title={anchor.root}>
              {shortRoot(anchor.root)}
            </code>
            {anchor.calendars.length > 0 ? (
              <span className="text-stone-600"> (calendars: {anchor.calendars.map((c) => `${calendarHost(c.url)} ${c.state}`).join(", ")})</span>
            ) : null}
          </span>
        )}
      </div>
      <p className="flex flex-wrap gap-4 text-sm">
        <Link href={`/anchors/ui#${anchor.root}`} className="text-accent underline" data-testid="anchor-link">
          Batch of {anchor.activity_count} on the anchors page →
        </Link>
        {otsUrl ? (
          <a href={otsUrl} download className="font-medium text-accent underline" data-testid="anchor-ots">
            Download .ots
          </a>
        ) : null}
      </p>
    </div>
  );
}
