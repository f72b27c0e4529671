// GET /anchors/ui — counts, Anchor now, every anchor with Upgrade and Verify. A browser's GET /anchors
// is rewritten here (lib/front); every other client gets the JSON list (app/anchors/route.ts).
import type { Metadata } from "next";
import { AnchorManager } from "@/components/anchors/anchor-manager";
import { getAnchorStateCounts, listAnchors } from "@/lib/anchors";
import { getContext } from "@/lib/runtime";
import { getViewer } from "../../../_shared/viewer";

export const metadata: Metadata = { title: "Anchors" };

const PAGE_SIZE = 20;

export default async function AnchorsPage() {
  const ctx = await getContext();
  const [viewer, page, states] = await Promise.all([getViewer(), listAnchors(ctx, { limit: PAGE_SIZE }), getAnchorStateCounts(ctx)]);
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">Anchors</h1>
        <p className="max-w-3xl text-stone-600">
          Every published activity is timestamped in Bitcoin through{" "}
          <a href="https://opentimestamps.org/" rel="noreferrer" className="text-accent underline">
            OpenTimestamps
          </a>
          : activities are batched into a merkle tree, its root is submitted to the calendars, and once a calendar has put it in a block the anchor is
          confirmed. Each activity has its own <code>.ots</code> proof.
        </p>
      </header>
      <AnchorManager
        initialPage={page}
        counts={{ unanchored: page.unanchored, ...states }}
        signedIn={viewer !== null}
        intervalMinutes={ctx.config.anchorIntervalMinutes}
      />
    </div>
  );
}
