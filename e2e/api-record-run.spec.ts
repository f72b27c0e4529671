// POST /assets/record-run over HTTP (product.md §3) against fake L1 renderers: the fake L1 started
// by playwright.config.ts (FAKE_L1, runs of e2e/fixtures/fake-l1.ts), a listed L1 that is down
// (DOWN_L1), and L1s a test runs in-process (SCRIPTED_L1, listed; or any free port, not listed) so
// it can serve runs of its own and see exactly what L2 requested.
import { expect, test } from "@playwright/test";
import { FAKE_RUNS, startFakeL1 } from "./fixtures/fake-l1";
import { expectError, json } from "./support/api";
import {
  acceptJson,
  ASSET_FIELDS,
  createAsset,
  expectNoAsset,
  expectSignedClaim,
  expectUnclaimed,
  fixedUser,
  getJson,
  latestActivityIndex,
  newUser,
  postRecordRun,
  randomHash,
  scriptedL1,
  uniqueName,
  type Activity,
  type AssetView,
  type User,
} from "./support/registry";
import { DOWN_L1, FAKE_L1, SCRIPTED_L1 } from "./support/servers";

interface Recorded {
  asset: AssetView;
  activity: Activity;
  inputs: { content_hash: string; name: string; registered: boolean }[];
}

const inputName = (hash: string) => `input-${hash.slice(0, 16)}`;

let recorder: User;
test.beforeAll(async ({ request }) => {
  recorder = await newUser(request, "recorder");
});

test.describe("recording a completed run", () => {
  test("completed-plain: 201 {asset, activity, inputs}; inputs registered as input-{16 hex}; the same run again → 200, no duplicate", async ({ request }) => {
    const run = FAKE_RUNS["completed-plain"];
    const before = await latestActivityIndex(request);
    const outputName = uniqueName("plain-output");
    const res = await postRecordRun(request, recorder.token, { run_id: run.runId, l1_server: FAKE_L1.url, output_name: outputName, asset_type: "video" });
    expect(res.status(), await res.text()).toBe(201);
    const first = (await res.json()) as Recorded;
    expect(Object.keys(first).sort()).toEqual(["activity", "asset", "inputs"]);

    // Inputs: each registered under input-{first 16 hex}, owned by the recorder, type unknown.
    expect(first.inputs).toEqual(run.inputHashes.map((h) => ({ content_hash: h, name: inputName(h), registered: true })));
    for (const h of run.inputHashes) {
      const input = await getJson<AssetView>(request, `/assets/${inputName(h)}`);
      expect(input).toMatchObject({ content_hash: h, owner: recorder.username, asset_type: "unknown", provenance: null, tags: [], metadata: {} });
      const claim = await getJson<Activity>(request, `/activities/${input.activity_index}`);
      expectSignedClaim(claim, input);
    }

    // The output: under output_name, the hash stored lower case (the L1 wrote it upper case), with provenance.
    const { asset, activity } = first;
    expect(Object.keys(asset).sort()).toEqual(ASSET_FIELDS);
    expect(asset).toMatchObject({
      name: outputName,
      content_hash: run.outputHash,
      asset_type: "video",
      owner: recorder.username,
      ipfs_cid: null,
      activity_index: before + 3,
    });
    expect(asset.provenance).toEqual({
      run_id: run.runId,
      l1_server: FAKE_L1.url,
      recipe: run.recipe,
      inputs: run.inputHashes.map((h) => ({ content_hash: h, name: inputName(h) })),
    });
    expectSignedClaim(activity, asset);
    expect(activity.object.provenance).toEqual(asset.provenance);
    expect(await getJson(request, `/assets/${outputName}`)).toEqual(asset);
    expect(JSON.parse(await (await request.get(`/activities/${asset.activity_index}`)).text())).toEqual(activity);
    expect(await latestActivityIndex(request)).toBe(before + 3);

    // Again (with the L1 written with a trailing slash): 200, the same asset and activity, nothing new.
    for (const [user, name, l1] of [
      [recorder, outputName, FAKE_L1.url],
      [recorder, uniqueName("other-name"), `${FAKE_L1.url}/`],
    ] as const) {
      const again = await postRecordRun(request, user.token, { run_id: run.runId, l1_server: l1, output_name: name });
      expect(again.status(), await again.text()).toBe(200);
      const second = (await again.json()) as Recorded;
      expect(second.asset).toEqual(asset);
      expect(second.activity).toEqual(activity);
      expect(second.inputs).toEqual(first.inputs.map((i) => ({ ...i, registered: false })));
    }
    expect(await latestActivityIndex(request)).toBe(before + 3);
  });

  test("completed (a run the L1 attributes to ada): 403 for anyone else, nothing written; 201 for ada with full provenance", async ({ request }) => {
    const run = FAKE_RUNS.completed;
    const before = await latestActivityIndex(request);
    const outputName = uniqueName("ada-output");
    const refused = await expectError(
      await postRecordRun(request, recorder.token, { run_id: run.runId, l1_server: FAKE_L1.url, output_name: outputName }),
      403,
      "forbidden",
    );
    expect(refused.message).toContain("belongs to ada on");
    await expectNoAsset(request, outputName);
    await expectUnclaimed(request, run.outputHash);
    for (const i of run.inputs) await expectNoAsset(request, inputName(i.contentHash));
    expect(await latestActivityIndex(request)).toBe(before);

    // Not giles: that is the main server's ARTDAG_USER, reserved for its operator.
    const ada = await fixedUser(request, "ada");
    const res = await postRecordRun(request, ada.token, { run_id: run.runId, l1_server: FAKE_L1.url, output_name: outputName, asset_type: "image" });
    expect(res.status(), await res.text()).toBe(201);
    const recorded = (await res.json()) as Recorded;
    expect(recorded.inputs).toEqual(run.inputs.map((i) => ({ content_hash: i.contentHash, name: inputName(i.contentHash), registered: true })));
    expect(recorded.asset).toMatchObject({ name: outputName, owner: "ada", content_hash: run.outputHash, ipfs_cid: run.outputIpfsCid, asset_type: "image" });
    expect(recorded.asset.provenance).toEqual({
      run_id: run.runId,
      l1_server: FAKE_L1.url,
      recipe: run.recipe,
      inputs: run.inputs.map((i) => ({ content_hash: i.contentHash, name: inputName(i.contentHash) })),
      effects_commit: run.effectsCommit,
      created_at: run.createdAt,
      completed_at: run.completedAt,
    });
    // The recipe carries a float (alpha 0.5): the independent verifier canonicalises it too.
    expectSignedClaim(recorded.activity, recorded.asset);
    const cat = await getJson<AssetView>(request, `/assets/${inputName(run.inputs[0].contentHash)}`);
    expect(cat).toMatchObject({ owner: "ada", ipfs_cid: run.inputs[0].ipfsCid });
    expect(await latestActivityIndex(request)).toBe(before + 3);

    const again = await postRecordRun(request, ada.token, { run_id: run.runId, l1_server: FAKE_L1.url, output_name: outputName });
    expect(again.status()).toBe(200);
    expect(((await again.json()) as Recorded).asset).toEqual(recorded.asset);
    expect(await latestActivityIndex(request)).toBe(before + 3);
  });

  test("inputs already in the registry keep their names and owners; only the new ones are registered", async ({ request }) => {
    const known = await createAsset(request, recorder, { name: uniqueName("known-input") });
    const fresh = randomHash();
    const output = randomHash();
    const l1 = await scriptedL1({
      mixed: {
        run_id: "mixed",
        status: "completed",
        recipe: "recipe:mix",
        inputs: [known.asset.content_hash.toUpperCase(), { content_hash: fresh, name: "x.png" }, fresh],
        output_hash: output,
      },
    });
    try {
      const someone = await newUser(request, "mixer");
      const res = await postRecordRun(request, someone.token, { run_id: "mixed", l1_server: SCRIPTED_L1.url, output_name: uniqueName("mixed") });
      expect(res.status(), await res.text()).toBe(201);
      const recorded = (await res.json()) as Recorded;
      expect(recorded.inputs).toEqual([
        { content_hash: known.asset.content_hash, name: known.asset.name, registered: false },
        { content_hash: fresh, name: inputName(fresh), registered: true },
      ]);
      expect(await getJson(request, `/assets/${known.asset.name}`)).toEqual(known.asset);
      expect((await getJson<AssetView>(request, `/assets/${inputName(fresh)}`)).owner).toBe(someone.username);
      expect(l1.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /runs/mixed"]);
      expect(l1.requests[0].headers.accept).toBe("application/json");
    } finally {
      await l1.close();
    }
  });
});

test.describe("record-run writes nothing when it cannot complete", () => {
  test("an output hash someone already owns → 409 content_already_claimed; none of the run's inputs are registered", async ({ request }) => {
    const owned = await createAsset(request, recorder);
    const inputs = [randomHash(), randomHash()];
    const l1 = await scriptedL1({ taken: { run_id: "taken", status: "completed", recipe: "r", inputs, output_hash: owned.asset.content_hash } });
    try {
      const other = await newUser(request, "latecomer");
      const before = await latestActivityIndex(request);
      const outputName = uniqueName("taken");
      const error = await expectError(
        await postRecordRun(request, other.token, { run_id: "taken", l1_server: SCRIPTED_L1.url, output_name: outputName }),
        409,
        "content_already_claimed",
      );
      expect(error.message).toContain(recorder.username);
      for (const h of inputs) {
        await expectNoAsset(request, inputName(h));
        await expectUnclaimed(request, h);
      }
      await expectNoAsset(request, outputName);
      expect(await latestActivityIndex(request)).toBe(before);
    } finally {
      await l1.close();
    }
  });

  test("an output_name already taken → 409 name_taken; none of the run's inputs are registered", async ({ request }) => {
    const owned = await createAsset(request, recorder);
    const inputs = [randomHash()];
    const output = randomHash();
    const l1 = await scriptedL1({ named: { run_id: "named", status: "completed", recipe: "r", inputs, output_hash: output } });
    try {
      const before = await latestActivityIndex(request);
      await expectError(
        await postRecordRun(request, recorder.token, { run_id: "named", l1_server: SCRIPTED_L1.url, output_name: owned.asset.name }),
        409,
        "name_taken",
      );
      await expectNoAsset(request, inputName(inputs[0]));
      await expectUnclaimed(request, output);
      expect(await getJson(request, `/assets/${owned.asset.name}`)).toEqual(owned.asset);
      expect(await latestActivityIndex(request)).toBe(before);
    } finally {
      await l1.close();
    }
  });

  const failures: { run: string; status: number; error: string; message: RegExp }[] = [
    { run: "running", status: 409, error: "run_not_completed", message: /The run running is running; only completed runs can be recorded/ },
    { run: "failed", status: 409, error: "run_not_completed", message: /The run failed is failed/ },
    { run: "malformed", status: 502, error: "bad_gateway", message: /answered run 'malformed' with a document L2 cannot use: it is not valid JSON/ },
    { run: "malformed-doc", status: 502, error: "bad_gateway", message: /answered run 'malformed-doc' with a document L2 cannot use: inputs\[0\]/ },
    { run: "huge", status: 502, error: "bad_gateway", message: /answered with more than 1 MiB for run 'huge'/ },
    { run: "no-such-run", status: 404, error: "not_found", message: /has no run 'no-such-run'/ },
  ];
  for (const f of failures) {
    test(`run '${f.run}' → ${f.status} ${f.error}`, async ({ request }) => {
      const before = await latestActivityIndex(request);
      const outputName = uniqueName(f.run);
      const started = Date.now();
      const body = await expectError(
        await postRecordRun(request, recorder.token, { run_id: f.run, l1_server: FAKE_L1.url, output_name: outputName }),
        f.status,
        f.error,
      );
      expect(body.message).toMatch(f.message);
      expect(Date.now() - started, "answered without waiting for a timeout").toBeLessThan(5_000);
      await expectNoAsset(request, outputName);
      // Nothing published: not even the inputs that `running` and `failed` name.
      expect(await latestActivityIndex(request)).toBe(before);
    });
  }

  test("a run that never answers → 502 bad_gateway after the 10 s timeout", async ({ request }) => {
    test.setTimeout(30_000);
    const before = await latestActivityIndex(request);
    const outputName = uniqueName("hang");
    const started = Date.now();
    const res = await postRecordRun(request, recorder.token, { run_id: "hang", l1_server: FAKE_L1.url, output_name: outputName });
    const elapsed = Date.now() - started;
    const body = await expectError(res, 502, "bad_gateway");
    expect(body.message).toBe(`The L1 ${FAKE_L1.url} did not answer within 10 s.`);
    expect(elapsed).toBeGreaterThanOrEqual(9_500);
    expect(elapsed).toBeLessThan(13_000);
    await expectNoAsset(request, outputName);
    expect(await latestActivityIndex(request)).toBe(before);
  });

  test("a listed L1 that is down → 502 bad_gateway", async ({ request }) => {
    const outputName = uniqueName("down");
    const body = await expectError(
      await postRecordRun(request, recorder.token, { run_id: "completed-plain", l1_server: DOWN_L1.url, output_name: outputName }),
      502,
      "bad_gateway",
    );
    expect(body.message).toContain(`The L1 ${DOWN_L1.url} could not be reached`);
    await expectNoAsset(request, outputName);
  });
});

test.describe("record-run fetches only from the configured L1s", () => {
  test("an L1 not in L1_SERVERS → 400 l1_not_allowed, and it receives no request", async ({ request }) => {
    const outsider = await startFakeL1();
    try {
      const outputName = uniqueName("outsider");
      const body = await expectError(
        await postRecordRun(request, recorder.token, { run_id: "completed-plain", l1_server: outsider.url, output_name: outputName }),
        400,
        "l1_not_allowed",
      );
      expect(body.message).toBe(`${outsider.url} is not one of this server's renderers (L1_SERVERS); nothing was fetched.`);
      await expectNoAsset(request, outputName);
      expect(outsider.requests).toEqual([]);
    } finally {
      await outsider.close();
    }
  });

  test("a listed L1 written differently (another host name, a query, a fragment, credentials, another scheme) → 400, no request", async ({ request }) => {
    const l1 = await scriptedL1({ x: { run_id: "x", status: "completed", recipe: "r", inputs: [], output_hash: randomHash() } });
    try {
      const port = SCRIPTED_L1.port;
      for (const variant of [
        `http://localhost:${port}`,
        `http://127.0.0.1:${port}?run=x`,
        `http://127.0.0.1:${port}/#x`,
        `http://user:pw@127.0.0.1:${port}`,
        `https://127.0.0.1:${port}`,
        `http://127.0.0.1:${port}/runs`,
        `ftp://127.0.0.1:${port}`,
        "127.0.0.1:8317",
        "not a url",
      ]) {
        const body = await expectError(
          await postRecordRun(request, recorder.token, { run_id: "x", l1_server: variant, output_name: uniqueName("variant") }),
          400,
          "l1_not_allowed",
        );
        expect(body.message).toContain("nothing was fetched");
      }
      expect(l1.requests).toEqual([]);
    } finally {
      await l1.close();
    }
  });

  test("run ids are one path segment: nothing else on the L1 is requested", async ({ request }) => {
    const l1 = await scriptedL1({});
    try {
      for (const runId of ["../auth/verify", "a/b", "x?y=1", "x#y", "%2e%2e"]) {
        const res = await postRecordRun(request, recorder.token, { run_id: runId, l1_server: SCRIPTED_L1.url, output_name: uniqueName("seg") });
        await expectError(res, 404, "not_found");
      }
      for (const runId of ["..", "."]) {
        const body = await expectError(
          await postRecordRun(request, recorder.token, { run_id: runId, l1_server: SCRIPTED_L1.url, output_name: uniqueName("dots") }),
          400,
          "invalid_request",
        );
        expect(body.message).toContain("not only dots");
      }
      expect(l1.requests.map((r) => r.path)).toEqual(["/runs/%2E%2E%2Fauth%2Fverify", "/runs/a%2Fb", "/runs/x%3Fy%3D1", "/runs/x%23y", "/runs/%252e%252e"]);
    } finally {
      await l1.close();
    }
  });
});

test.describe("record-run refuses bad requests before fetching anything", () => {
  test("without a valid token → 401 unauthorized", async ({ request }) => {
    const outputName = uniqueName("anon-run");
    for (const token of [null, "not-a-token"]) {
      await expectError(
        await postRecordRun(request, token, { run_id: "completed-plain", l1_server: FAKE_L1.url, output_name: outputName }),
        401,
        "unauthorized",
      );
    }
    await expectNoAsset(request, outputName);
  });

  const bad: { title: string; body: unknown; field: string; message: string }[] = [
    { title: "no output_name", body: { run_id: "x", l1_server: SCRIPTED_L1.url }, field: "output_name", message: "name must be a string" },
    {
      title: "an output_name with a space",
      body: { run_id: "x", l1_server: SCRIPTED_L1.url, output_name: "a b" },
      field: "output_name",
      message: "name may contain only letters, digits and . _ : -",
    },
    { title: "an empty run_id", body: { run_id: "", l1_server: SCRIPTED_L1.url, output_name: "ok" }, field: "run_id", message: "run_id is required" },
    { title: "a numeric run_id", body: { run_id: 7, l1_server: SCRIPTED_L1.url, output_name: "ok" }, field: "run_id", message: "run_id must be a string" },
    {
      title: "a run_id with a control character",
      body: { run_id: "a\nb", l1_server: SCRIPTED_L1.url, output_name: "ok" },
      field: "run_id",
      message: "run_id must not contain control characters",
    },
    {
      title: "a run_id of 201 characters",
      body: { run_id: "r".repeat(201), l1_server: SCRIPTED_L1.url, output_name: "ok" },
      field: "run_id",
      message: "run_id must be at most 200 characters",
    },
    { title: "no l1_server", body: { run_id: "x", output_name: "ok" }, field: "l1_server", message: "l1_server must be a string" },
    {
      title: "an unknown asset_type",
      body: { run_id: "x", l1_server: SCRIPTED_L1.url, output_name: "ok", asset_type: "painting" },
      field: "asset_type",
      message: "asset_type must be one of",
    },
  ];
  for (const c of bad) {
    test(`${c.title} → 400 invalid_request`, async ({ request }) => {
      const l1 = await scriptedL1({});
      try {
        const body = await expectError(await postRecordRun(request, recorder.token, c.body), 400, "invalid_request");
        expect(body.fields?.[c.field], JSON.stringify(body.fields)).toContain(c.message);
        expect(l1.requests).toEqual([]);
      } finally {
        await l1.close();
      }
    });
  }

  test("malformed JSON → 400 malformed_json; 2 MiB → 413 payload_too_large", async ({ request }) => {
    const headers = { ...json, ...acceptJson, authorization: `Bearer ${recorder.token}` };
    await expectError(await request.post("/assets/record-run", { headers, data: Buffer.from('{"run_id": ') }), 400, "malformed_json");
    const huge = Buffer.from(JSON.stringify({ run_id: "x", l1_server: FAKE_L1.url, output_name: "ok", pad: "x".repeat(2 * 1024 * 1024) }));
    await expectError(await request.post("/assets/record-run", { headers, data: huge }), 413, "payload_too_large");
  });
});
