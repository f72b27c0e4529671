import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FAKE_RUNS, startFakeL1, type FakeL1 } from "@/e2e/fixtures/fake-l1";
import { findListedL1, type ListedL1 } from "@/lib/config";
import { requireListedL1 } from "@/lib/renderers";
import { fetchL1Run, type FetchL1RunParams, type L1RunResult } from "./l1-client";

/** `url` as a configured L1 (what requireListedL1 hands the client). */
function listed(url: string): ListedL1 {
  return findListedL1({ l1Servers: [url] }, url)!;
}

let l1: FakeL1;

beforeAll(async () => {
  l1 = await startFakeL1();
});

afterAll(async () => {
  await l1.close();
});

beforeEach(() => {
  l1.requests.length = 0;
});

function fetchRun(runId: string, extra: Partial<FetchL1RunParams> = {}): Promise<L1RunResult> {
  return fetchL1Run({ l1Server: listed(l1.url), runId, ...extra });
}

/** A fetch that answers every request with `doc` as JSON. */
function answering(doc: unknown, status = 200): typeof fetch {
  return async () => new Response(JSON.stringify(doc), { status, headers: { "content-type": "application/json" } });
}

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

describe("fetchL1Run against the fake L1", () => {
  it("reads a completed run with inputs as objects and an output object", async () => {
    const result = await fetchRun("completed");
    const c = FAKE_RUNS.completed;
    expect(result).toEqual({
      ok: true,
      run: {
        runId: "completed",
        status: "completed",
        recipe: c.recipe,
        inputs: [
          { contentHash: c.inputs[0].contentHash, name: c.inputs[0].name, ipfsCid: c.inputs[0].ipfsCid },
          { contentHash: c.inputs[1].contentHash, name: c.inputs[1].name },
        ],
        output: { contentHash: c.outputHash, ipfsCid: c.outputIpfsCid },
        effectsCommit: c.effectsCommit,
        createdAt: c.createdAt,
        completedAt: c.completedAt,
        username: c.username,
      },
    });
    expect(l1.requests).toHaveLength(1);
    expect(l1.requests[0]).toMatchObject({ method: "GET", path: "/runs/completed" });
    expect(l1.requests[0].headers.accept).toBe("application/json");
  });

  it("reads a completed run with inputs as plain hashes and output_hash, lower-casing hashes", async () => {
    const result = await fetchRun("completed-plain");
    const p = FAKE_RUNS["completed-plain"];
    expect(result).toEqual({
      ok: true,
      run: {
        runId: "completed-plain",
        status: "completed",
        recipe: p.recipe,
        inputs: p.inputHashes.map((h) => ({ contentHash: h })),
        output: { contentHash: p.outputHash },
      },
    });
  });

  it("answers a running run as ok with its status and no output", async () => {
    const result = await fetchRun("running");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.run.status).toBe("running");
    expect(result.run.output).toBeNull();
    expect(result.run.createdAt).toBe("2025-11-02T11:00:00Z");
  });

  it("answers a failed run as ok with status failed", async () => {
    const result = await fetchRun("failed");
    expect(result).toMatchObject({ ok: true, run: { status: "failed", output: null } });
  });

  it("fails with malformed on invalid JSON", async () => {
    const result = await fetchRun("malformed");
    expect(result).toMatchObject({ ok: false, reason: "malformed" });
    if (!result.ok) expect(result.message).toBe(`The L1 ${l1.url} answered run 'malformed' with a document L2 cannot use: it is not valid JSON.`);
  });

  it("fails with malformed on a document of wrong types without an output hash", async () => {
    const result = await fetchRun("malformed-doc");
    expect(result).toMatchObject({ ok: false, reason: "malformed" });
    if (!result.ok) expect(result.message).toMatch(/inputs\[0\]/);
  });

  it("fails with too_large on a 5 MiB answer, quickly", async () => {
    const started = Date.now();
    const result = await fetchRun("huge");
    expect(result).toMatchObject({ ok: false, reason: "too_large" });
    if (!result.ok) expect(result.message).toContain("1 MiB");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fails with timeout when the L1 never answers, within the deadline", async () => {
    const started = Date.now();
    const result = await fetchRun("hang", { timeoutMs: 500 });
    const elapsed = Date.now() - started;
    expect(result).toEqual({ ok: false, reason: "timeout", message: `The L1 ${l1.url} did not answer within 0.5 s.` });
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1_500);
  });

  it("waits 10 s by default and says so", async () => {
    vi.useFakeTimers();
    try {
      const pending = fetchRun("anything", { fetchImpl: () => new Promise<Response>(() => {}) });
      await vi.advanceTimersByTimeAsync(9_999);
      let settled = false;
      void pending.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toEqual({ ok: false, reason: "timeout", message: `The L1 ${l1.url} did not answer within 10 s.` });
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails with not_found for an unknown run", async () => {
    const result = await fetchRun("no-such-run");
    expect(result).toEqual({ ok: false, reason: "not_found", message: `The L1 ${l1.url} has no run 'no-such-run'.` });
  });

  it("refuses an L1 that is not configured (requireListedL1, before any request)", async () => {
    const ctx = { config: { l1Servers: ["https://celery-artdag.rose-ash.com"] } } as Parameters<typeof requireListedL1>[0];
    expect(() => requireListedL1(ctx, l1.url, "nothing was fetched")).toThrow(
      expect.objectContaining({ code: "l1_not_allowed", message: `${l1.url} is not one of this server's renderers (L1_SERVERS); nothing was fetched.` }),
    );
    expect(l1.requests).toEqual([]);
  });

  it("compares L1 URLs normalised: the case of the origin and a trailing slash do not matter (L1_SERVERS is normalised by loadConfig)", async () => {
    const ctx = { config: { l1Servers: [l1.url] } } as Parameters<typeof requireListedL1>[0];
    const shouted = l1.url.replace("http://", "HTTP://") + "/";
    const result = await fetchL1Run({ l1Server: requireListedL1(ctx, shouted), runId: "completed" });
    expect(result.ok).toBe(true);
    // …but another path on the same host is another L1.
    expect(() => requireListedL1(ctx, `${l1.url}/other`)).toThrow(expect.objectContaining({ code: "l1_not_allowed" }));
    expect(l1.requests).toHaveLength(1);
  });

  it("encodes the run id as one path segment: no traversal at the L1", async () => {
    const result = await fetchRun("../admin");
    expect(result).toMatchObject({ ok: false, reason: "not_found" });
    expect(l1.requests.map((r) => r.path)).toEqual(["/runs/%2E%2E%2Fadmin"]);
  });

  it("refuses run ids that are only dots, too long or carry control characters, without a request", async () => {
    for (const runId of ["..", ".", "", "x".repeat(201), "a\nb", "a\u0000b"]) {
      const result = await fetchRun(runId);
      expect(result, JSON.stringify(runId)).toMatchObject({ ok: false, reason: "invalid_run_id" });
    }
    expect(l1.requests).toEqual([]);
  });

  it("fails with unreachable when nothing listens at the L1", async () => {
    const gone = await startFakeL1();
    await gone.close();
    const result = await fetchL1Run({ l1Server: listed(gone.url), runId: "completed" });
    expect(result).toMatchObject({ ok: false, reason: "unreachable" });
    if (!result.ok) expect(result.message).toMatch(new RegExp(`^The L1 ${gone.url} could not be reached \\(.*ECONNREFUSED.*\\)\\.$`));
  });
});

describe("fetchL1Run reading documents", () => {
  const doc = { run_id: "r1", status: "completed", recipe: "recipe:x", inputs: [HASH_A], output_hash: HASH_B };

  it("answers http_error for other statuses", async () => {
    const result = await fetchRun("r1", { fetchImpl: answering({ detail: "boom" }, 500) });
    expect(result).toEqual({ ok: false, reason: "http_error", message: `The L1 ${l1.url} answered HTTP 500 for run 'r1'.` });
  });

  it("ignores unknown fields and treats nulls as absent", async () => {
    const result = await fetchRun("r1", {
      fetchImpl: answering({ ...doc, extra: { deep: [1, 2] }, effects_commit: null, username: null, output_ipfs_cid: "bafyout" }),
    });
    expect(result).toEqual({
      ok: true,
      run: { runId: "r1", status: "completed", recipe: "recipe:x", inputs: [{ contentHash: HASH_A }], output: { contentHash: HASH_B, ipfsCid: "bafyout" } },
    });
  });

  it("accepts a mix of input shapes and Unix times", async () => {
    const result = await fetchRun("r1", {
      fetchImpl: answering({ ...doc, inputs: [HASH_A.toUpperCase(), { content_hash: HASH_B, name: "b.png" }], created_at: 1_700_000_000 }),
    });
    expect(result.ok && result.run.inputs).toEqual([{ contentHash: HASH_A }, { contentHash: HASH_B, name: "b.png" }]);
    expect(result.ok && result.run.createdAt).toBe("2023-11-14T22:13:20.000Z");
  });

  it("keeps an object recipe as plain JSON, __proto__ keys as data", async () => {
    const body = `{"run_id":"r1","status":"completed","inputs":[],"output_hash":"${HASH_B}","recipe":{"__proto__":{"polluted":true},"steps":[{"effect":"x"}]}}`;
    const result = await fetchRun("r1", { fetchImpl: async () => new Response(body) });
    expect(result.ok).toBe(true);
    if (!result.ok || typeof result.run.recipe === "string") throw new Error("expected an object recipe");
    expect(Object.getPrototypeOf(result.run.recipe)).toBe(Object.prototype);
    expect(Object.keys(result.run.recipe)).toEqual(["__proto__", "steps"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result.run.recipe))).toEqual(JSON.parse(body).recipe);
  });

  it.each([
    ["a completed run without an output hash", { ...doc, output_hash: undefined }, /completed but names no output hash/],
    ["an output hash that is not 64 hex", { ...doc, output_hash: "abc" }, /output_hash must be a SHA3-256 content hash/],
    ["output and output_hash that disagree", { ...doc, output: { content_hash: HASH_A } }, /disagree/],
    ["another run's document", { ...doc, run_id: "r2" }, /describes run 'r2', not 'r1'/],
    ["a recipe that is a number", { ...doc, recipe: 7 }, /recipe must be a string or a JSON object/],
    ["a recipe that is an array", { ...doc, recipe: ["x"] }, /recipe/],
    ["inputs that are not an array", { ...doc, inputs: HASH_A }, /inputs must be an array/],
    ["an input name of the wrong type", { ...doc, inputs: [{ content_hash: HASH_A, name: 5 }] }, /inputs\[0\]/],
    ["a missing status", { ...doc, status: undefined }, /status/],
    ["an array instead of an object", [doc], /not a JSON object/],
  ])("fails with malformed on %s", async (_label, body, message) => {
    const result = await fetchRun("r1", { fetchImpl: answering(body) });
    expect(result).toMatchObject({ ok: false, reason: "malformed" });
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it("fails with malformed on a recipe nested too deeply", async () => {
    let recipe: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 40; i++) recipe = { next: recipe };
    const result = await fetchRun("r1", { fetchImpl: answering({ ...doc, recipe }) });
    expect(result).toMatchObject({ ok: false, reason: "malformed" });
    if (!result.ok) expect(result.message).toMatch(/deeper than/);
  });

  it("fails with http_error on a redirect to another host", async () => {
    const fetchImpl: typeof fetch = async () => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/runs/r1" } });
    const result = await fetchRun("r1", { fetchImpl });
    expect(result).toMatchObject({ ok: false, reason: "http_error" });
  });
});
