"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { retryUnlessClientError } from "../api";
import { KeysetList } from "../keyset-list";
import { EmptyState } from "../ui/empty-state";
import { ErrorNotice } from "../ui/error-notice";
import { SkeletonRows } from "../ui/skeleton-rows";
import { fetchAnchor, fetchAnchors, type AnchorPage, type AnchorView } from "./api";
import { AnchorRow } from "./anchor-row";
import { ANCHOR_LIST_KEY } from "./use-refresh-anchors";

const PAGE_SIZE = 20;

/** Every anchor, newest first, keyset-paged; the one the URL's fragment names is always shown. */
export function AnchorList({ initialPage, signedIn }: { initialPage: AnchorPage; signedIn: boolean }) {
  const linked = useLinkedRoot();
  return (
    <KeysetList<AnchorView>
      queryKey={ANCHOR_LIST_KEY}
      fetchPage={(cursor) => fetchAnchors({ cursor, limit: PAGE_SIZE })}
      initialPage={initialPage}
      empty={
        <EmptyState title="No anchors yet">
          Published activities are batched into a merkle tree whose root is timestamped in Bitcoin through OpenTimestamps; each batch appears here, first
          pending, then confirmed at a block.
        </EmptyState>
      }
    >
      {(items) => (
        <>
          {linked !== null && !items.some((a) => a.root === linked) ? <LinkedAnchor root={linked} signedIn={signedIn} /> : null}
          <ul className="space-y-4" data-testid="anchor-list">
            {items.map((anchor) => (
              <AnchorRow key={anchor.root} anchor={anchor} signedIn={signedIn} />
            ))}
          </ul>
        </>
      )}
    </KeysetList>
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
  // Under ANCHOR_LIST_KEY, so the refresh after Upgrade / Verify reloads it too.
  const query = useQuery({ queryKey: [...ANCHOR_LIST_KEY, "linked", root], queryFn: () => fetchAnchor(root), retry: retryUnlessClientError });
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
