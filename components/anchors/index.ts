// The anchors feature's face (product.md §7): the management page's body for /anchors/ui, and the
// anchoring status an activity or asset page shows. Typed fetchers are in ./api, the list and each
// anchor's row, proof actions and activities in their own files behind this one.
export { AnchorManager, type AnchorSummaryCounts } from "./anchor-manager";
export { AnchorStatus } from "./anchor-status";
