// Types of keys.mjs, for the TypeScript tests that import it (the client itself is plain JavaScript).
import type { KeyObject } from "node:crypto";

export declare function privateKeyFromSeed(seed: Uint8Array): KeyObject;
export declare function privateKeyFromMultibase(text: string): KeyObject;
export declare function ed25519PublicKeyBytes(key: KeyObject): Buffer;
export declare function didKeyFromPublicKey(key: KeyObject): string;
