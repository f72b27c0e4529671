// Types of moo-auth.mjs, for the TypeScript tests that import it (the client itself is plain JavaScript).
import type { KeyObject } from "node:crypto";

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
