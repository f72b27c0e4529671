import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HashCancelledError, sha3OfBlob } from "./index";

const nodeSha3 = (bytes: Uint8Array) => createHash("sha3-256").update(bytes).digest("hex");

describe("sha3OfBlob", () => {
  it("agrees with node:crypto's SHA3-256 on empty, small and chunk-boundary sizes", async () => {
    const chunkBytes = 1024;
    for (const size of [0, 1, 1023, 1024, 1025, 4096, 5000]) {
      const bytes = randomBytes(size);
      expect(await sha3OfBlob(new Blob([bytes]), { chunkBytes }), `${size} bytes`).toBe(nodeSha3(bytes));
    }
  });

  it("agrees on a file of several default chunks, read a chunk at a time with progress after each", async () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 17);
    const seen: [number, number][] = [];
    const hex = await sha3OfBlob(new Blob([bytes]), { onProgress: (p) => seen.push([p.done, p.total]) });
    expect(hex).toBe(nodeSha3(bytes));
    expect(seen).toEqual([
      [4 * 1024 * 1024, bytes.length],
      [8 * 1024 * 1024, bytes.length],
      [bytes.length, bytes.length],
    ]);
  });

  it("stops between chunks when cancelled", async () => {
    const controller = new AbortController();
    const chunks: number[] = [];
    const hashing = sha3OfBlob(new Blob([randomBytes(10_000)]), {
      chunkBytes: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        chunks.push(p.done);
        if (p.done === 3000) controller.abort();
      },
    });
    await expect(hashing).rejects.toBeInstanceOf(HashCancelledError);
    expect(chunks).toEqual([1000, 2000, 3000]);
  });
});
