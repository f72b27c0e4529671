import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_RUNS, startFakeL1, type FakeL1 } from "@/e2e/fixtures/fake-l1";
import { registerUser } from "@/lib/accounts";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { checkActivitySignature, getActivity, getAsset, recordRun, registerAsset, registerAssetInput } from ".";

describe.each(databaseKinds)("recordRun on %s", (kind) => {
  let t: TestContext;
  let l1: FakeL1;
  beforeAll(async () => {
    l1 = await startFakeL1();
    t = await createTestContext(kind, { L1_SERVERS: `${l1.url},https://l1-b.test` });
    for (const u of ["ada", "mallory"]) await registerUser(t.ctx, { username: u, password: "password " + u }, { client: null });
  });
  afterAll(async () => {
    await t.close();
    await l1.close();
  });

  const run = (runId: string, extra: Record<string, unknown> = {}) => ({ run_id: runId, l1_server: l1.url, output_name: `out-${runId}`, ...extra });

  it("refuses an L1 that is not configured, without any request leaving", async () => {
    const before = l1.requests.length;
    for (const other of ["https://evil.example", "http://127.0.0.1:1", `${l1.url}/../x`, `${l1.url}?a=b`, "not a url"]) {
      const err = await rejectsWithAppError(recordRun(t.ctx, "ada", run("completed", { l1_server: other })));
      expect(err).toMatchObject({ status: 400, code: "l1_not_allowed" });
    }
    expect(l1.requests.length).toBe(before);
  });

  it("records a completed run: inputs as input-{16 hex}, the output with its provenance, each with a signed Create", async () => {
    const c = FAKE_RUNS.completed;
    const result = await recordRun(t.ctx, "ada", run("completed", { asset_type: "video" }));
    expect(result.status).toBe(201);
    expect(result.inputs).toEqual(c.inputs.map((i) => ({ content_hash: i.contentHash, name: `input-${i.contentHash.slice(0, 16)}`, registered: true })));
    expect(result.asset).toMatchObject({ name: "out-completed", content_hash: c.outputHash, asset_type: "video", owner: "ada" });
    expect(result.asset.provenance).toMatchObject({
      run_id: "completed",
      l1_server: l1.url,
      recipe: c.recipe,
      inputs: c.inputs.map((i) => ({ content_hash: i.contentHash, name: `input-${i.contentHash.slice(0, 16)}` })),
      completed_at: c.completedAt,
    });
    expect((result.activity.object as { provenance: unknown }).provenance).toEqual(result.asset.provenance);
    for (const i of result.inputs) {
      const input = (await getAsset(t.ctx, i.name))!;
      expect(input).toMatchObject({ content_hash: i.content_hash, owner: "ada" });
      const activity = (await getActivity(t.ctx, String(input.activity_index)))!;
      expect(await checkActivitySignature(t.ctx, activity)).toMatchObject({ verified: true });
    }
    expect(await checkActivitySignature(t.ctx, (await getActivity(t.ctx, result.asset.activity_id))!)).toMatchObject({ verified: true });
    expect((await getAsset(t.ctx, "input-" + c.inputs[1].contentHash.slice(0, 16)))!.ipfs_cid).toBeNull();
    expect((await getAsset(t.ctx, "input-" + c.inputs[0].contentHash.slice(0, 16)))!.ipfs_cid).toBe(c.inputs[0].ipfsCid);
  });

  it("is idempotent: the same run again answers 200 with the existing asset and writes nothing", async () => {
    const before = await t.ctx.prisma.activity.count();
    const again = await recordRun(t.ctx, "ada", run("completed", { output_name: "another-name" }));
    expect(again.status).toBe(200);
    expect(again.asset.name).toBe("out-completed");
    expect(await t.ctx.prisma.activity.count()).toBe(before);
    expect(await getAsset(t.ctx, "another-name")).toBeNull();
  });

  it("keeps the names of inputs already registered and stores hashes lower case", async () => {
    const p = FAKE_RUNS["completed-plain"];
    await registerAsset(t.ctx, "mallory", registerAssetInput.parse({ name: "known-input", content_hash: p.inputHashes[0], asset_type: "image" }));
    const result = await recordRun(t.ctx, "ada", run("completed-plain"));
    expect(result.status).toBe(201);
    expect(result.inputs[0]).toEqual({ content_hash: p.inputHashes[0], name: "known-input", registered: false });
    expect(result.asset.content_hash).toBe(p.outputHash.toLowerCase());
    expect((await getAsset(t.ctx, "known-input"))!.owner).toBe("mallory");
  });

  it("refuses a run the L1 attributes to another user (403), and an already recorded run stays the recorder's", async () => {
    const fresh = await createTestContext(kind, { L1_SERVERS: l1.url });
    try {
      await registerUser(fresh.ctx, { username: "mallory", password: "password mallory" }, { client: null });
      const err = await rejectsWithAppError(recordRun(fresh.ctx, "mallory", run("completed", { output_name: "stolen" })));
      expect(err).toMatchObject({ status: 403, code: "forbidden" });
      expect(err.message).toContain("belongs to ada on");
      expect(await fresh.ctx.prisma.asset.count()).toBe(0);
    } finally {
      await fresh.close();
    }
    const replay = await recordRun(t.ctx, "mallory", run("completed", { output_name: "stolen" }));
    expect(replay).toMatchObject({ status: 200, asset: { name: "out-completed", owner: "ada" } });
  });

  it.each([
    ["running", 409, "run_not_completed", "running"],
    ["failed", 409, "run_not_completed", "failed"],
    ["malformed", 502, "bad_gateway", "L1"],
    ["malformed-doc", 502, "bad_gateway", "L1"],
    ["huge", 502, "bad_gateway", "L1"],
    ["no-such-run", 404, "not_found", "no-such-run"],
  ])("answers run %s with %i %s and writes nothing", async (runId, status, code, text) => {
    const before = await t.ctx.prisma.asset.count();
    const err = await rejectsWithAppError(recordRun(t.ctx, "ada", run(runId)));
    expect(err).toMatchObject({ status, code });
    expect(err.message).toContain(text);
    expect(await t.ctx.prisma.asset.count()).toBe(before);
  });

  it("answers 502 when the L1 never answers, within the timeout", async () => {
    const started = Date.now();
    const err = await rejectsWithAppError(recordRun(t.ctx, "ada", run("hang"), { timeoutMs: 500 }));
    expect(err).toMatchObject({ status: 502, code: "bad_gateway" });
    expect(err.message).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("answers 502 when the L1 is unreachable", async () => {
    const down = await startFakeL1();
    const url = down.url;
    await down.close();
    const t2 = await createTestContext(kind, { L1_SERVERS: url });
    try {
      await registerUser(t2.ctx, { username: "ada", password: "password ada" }, { client: null });
      const err = await rejectsWithAppError(recordRun(t2.ctx, "ada", { run_id: "completed", l1_server: url, output_name: "x" }));
      expect(err).toMatchObject({ status: 502, code: "bad_gateway" });
    } finally {
      await t2.close();
    }
  });
});
