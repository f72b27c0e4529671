// Types of the exports of artdag-client.mjs, for client/artdag-client.test.ts: the client itself
// stays one plain JavaScript file that Node runs without a build step.
import type { KeyObject } from "node:crypto";

export declare const VERSION: string;
export declare const USAGE: string;
export declare const ASSET_TYPES: readonly string[];

export declare function encodeBase58btc(bytes: Uint8Array): string;
export declare function decodeBase58btc(text: string): Uint8Array | null;
export declare function privateKeyFromSeed(seed: Uint8Array): KeyObject;
export declare function privateKeyFromMultibase(text: string): KeyObject;
export declare function ed25519PublicKeyBytes(key: KeyObject): Buffer;
export declare function didKeyFromPublicKey(key: KeyObject): string;
export declare function digestHeader(body: Uint8Array | string): string;
export declare function mooSigningString(input: { method: string; url: string; date: string; digest?: string }): string;
export declare function mooSignature(privateKey: KeyObject, signingString: string): string;
export declare function mooAuthHeaders(input: {
  privateKey: KeyObject;
  didKey: string;
  method: string;
  url: string;
  body?: Uint8Array | string;
  date?: string;
}): Record<string, string>;
export declare function configDir(env?: Record<string, string | undefined>, home?: string): string;
export declare function normalizeServer(text: string): string;
export declare function keyFileName(server: string): string;
export declare function guessAssetType(fileName: string): string;
export declare function objectTypeFor(assetType: string): string;
export declare function buildCreateActivity(input: {
  actor: string;
  name: string;
  contentHash: string;
  assetType: string;
  tags: string[];
}): Record<string, unknown>;
export declare function parseTags(text: string): string[];
export declare function parseFlags(args: string[], known: string[]): { positionals: string[]; flags: Record<string, string> };
export declare function formatAssetRow(
  asset: { name: string; asset_type: string; content_hash: string; created_at: string },
  nameWidth: number,
): string;
export declare class CliError extends Error {
  constructor(message: string, exitCode?: number);
  readonly exitCode: number;
}
export declare function main(argv: string[]): Promise<number>;
