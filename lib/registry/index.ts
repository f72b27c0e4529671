// The registry: assets, their signed ownership claims (Create activities, stored once as signed
// bytes) and recorded L1 runs (product.md §3). Signing lives in lib/crypto; delivery to followers
// is federation's.
export * from "./schemas";
export {
  checkActivityProof,
  checkActivitySignature,
  getActivity,
  getActivityOrThrow,
  listActivities,
  type ActivityJson,
  type ActivityRecord,
  type ActivitySummary,
  type ProofCheck,
  type SignatureCheck,
} from "./activities";
export { getAsset, getAssetOrThrow, getClaimObject, listAssets, registerAsset, type AssetView } from "./assets";
export { recordRun, type RecordedInput, type RecordRunOptions, type RecordRunResult } from "./record-run";
