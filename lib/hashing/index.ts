// SHA3-256 of a file, streamed: the content hash a work is registered under, computed where the file
// is (the browser's register-a-work page; Node's Blob too), a chunk at a time, so a file of
// gigabytes is never read whole. @noble/hashes (audited, pure JavaScript) because Web Crypto has no
// SHA-3, and a WebAssembly hasher would need the page's Content-Security-Policy to allow compiling
// code ('wasm-unsafe-eval'). Framework-free and browser-safe: no node:* imports.
import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** How much is read and hashed at a time: large enough to keep the per-chunk overhead small, small enough to show progress. */
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

export interface HashProgress {
  done: number;
  total: number;
}

export class HashCancelledError extends Error {
  constructor() {
    super("Hashing was cancelled.");
    this.name = "HashCancelledError";
  }
}

/**
 * The SHA3-256 of `blob` as 64 lower-case hex digits. `onProgress` is told after each chunk;
 * an aborted `signal` stops between chunks with HashCancelledError.
 */
export async function sha3OfBlob(
  blob: Blob,
  options: { onProgress?: (progress: HashProgress) => void; signal?: AbortSignal; chunkBytes?: number } = {},
): Promise<string> {
  const chunk = options.chunkBytes ?? HASH_CHUNK_BYTES;
  const hash = sha3_256.create();
  for (let offset = 0; offset < blob.size; offset += chunk) {
    if (options.signal?.aborted) throw new HashCancelledError();
    hash.update(new Uint8Array(await blob.slice(offset, offset + chunk).arrayBuffer()));
    options.onProgress?.({ done: Math.min(offset + chunk, blob.size), total: blob.size });
  }
  if (options.signal?.aborted) throw new HashCancelledError();
  if (blob.size === 0) options.onProgress?.({ done: 0, total: 0 });
  return bytesToHex(hash.digest());
}
