// Typed fetchers for the OpenTimestamps anchor API (product.md §7), one per endpoint. `/anchors`
// answers JSON to anything that does not ask for HTML, so these never land on the page.
import type { AnchorDetail, AnchorVerification, AnchorView } from "@/lib/anchors";
import { getJson, postJson, withQuery, type Page } from "../api";

export type { AnchorCalendarView, AnchorDetail, AnchorVerification, AnchorView } from "@/lib/anchors";

/** `GET /anchors`: a page of anchors plus how many activities still wait for a batch. */
export interface AnchorPage extends Page<AnchorView> {
  unanchored: number;
}

export interface AnchorNowResult {
  anchor: AnchorView | null;
  message?: string;
}

export interface UpgradeResult {
  anchor: AnchorView;
  changed: boolean;
}

function anchorPath(root: string): string {
  return `/anchors/${encodeURIComponent(root)}`;
}

/** `GET /anchors`: anchors, newest first, keyset-paged. */
export function fetchAnchors(query: { cursor?: string | null; limit?: number }): Promise<AnchorPage> {
  return getJson<AnchorPage>(withQuery("/anchors", { ...query }));
}

/** `GET /anchors/{root}`: one anchor with a page of its activities. */
export function fetchAnchor(root: string, cursor?: string | null): Promise<AnchorDetail> {
  return getJson<AnchorDetail>(withQuery(anchorPath(root), { cursor }));
}

/** `POST /anchors`: batch every waiting activity now (signed in). */
export function anchorNow(): Promise<AnchorNowResult> {
  return postJson<AnchorNowResult>("/anchors");
}

/** `POST /anchors/{root}/upgrade`: ask the calendars for the Bitcoin attestation (signed in). */
export function upgradeAnchor(root: string): Promise<UpgradeResult> {
  return postJson<UpgradeResult>(`${anchorPath(root)}/upgrade`);
}

/** `POST /anchors/{root}/verify`: check the proof against the configured block source (signed in). */
export function verifyAnchor(root: string): Promise<AnchorVerification> {
  return postJson<AnchorVerification>(`${anchorPath(root)}/verify`);
}
