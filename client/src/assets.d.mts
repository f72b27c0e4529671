// Types of assets.mjs, for the TypeScript tests that import it (the client itself is plain JavaScript).
export declare const ASSET_TYPES: readonly string[];
export declare function guessAssetType(fileName: string): string;
export declare function objectTypeFor(assetType: string): string;
export declare function buildCreateActivity(input: {
  actor: string;
  name: string;
  contentHash: string;
  assetType: string;
  tags: string[];
  url?: string;
  metadata?: Record<string, unknown>;
}): Record<string, unknown>;
