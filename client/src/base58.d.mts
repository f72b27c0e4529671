// Types of base58.mjs, for the TypeScript tests that import it (the client itself is plain JavaScript).
export declare function encodeBase58btc(bytes: Uint8Array): string;
export declare function decodeBase58btc(text: string): Uint8Array | null;
