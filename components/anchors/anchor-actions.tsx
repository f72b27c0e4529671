"use client";

import { useMutation } from "@tanstack/react-query";
import { formatTime } from "../format";
import { SecondaryButton } from "../ui/button";
import { upgradeAnchor, verifyAnchor } from "./api";
import { useRefreshAnchors } from "./use-refresh-anchors";

/** Upgrade and Verify, each with its own progress and its answer shown beside it. */
export function AnchorActions({ root }: { root: string }) {
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
