// The OpenTimestamps anchor API over HTTP (product.md §7) against the main server, whose
// OTS_CALENDARS are the two stub calendars and whose OTS_ESPLORA_URL is the Esplora stub
// (playwright.config.ts). Every `.ots` downloaded here also goes through the reference client
// (python3-opentimestamps, lib/anchors/testdata/verify_ots.py).
import { expect, test, type APIRequestContext } from "@playwright/test";
import { createHash } from "node:crypto";
import { referenceClientMissing, runOracle } from "../lib/anchors/testdata/oracle";
import { bearer, expectError } from "./support/api";
import { createAsset, getJson, newUser, type User } from "./support/registry";
import { OTS_CALENDAR_A, OTS_CALENDAR_B, OTS_ESPLORA } from "./support/servers";

interface CalendarView {
  url: string;
  state: "pending" | "failed" | "complete";
  attempts: number;
  error: string | null;
  answered_at: string | null;
}

interface AnchorView {
  root: string;
  url: string;
  state: "pending" | "confirmed";
  activity_count: number;
  calendars: CalendarView[];
  block_height: number | null;
  block_time: string | null;
  created_at: string;
  submitted_at: string | null;
  upgraded_at: string | null;
  confirmed_at: string | null;
  last_error: string | null;
}

interface AnchorDetail extends AnchorView {
  activities: { id: string; index: number; url: string; ots_url: string }[];
  activities_next_cursor: string | null;
}

const ZERO_ROOT = "0".repeat(64);

async function anchorNow(request: APIRequestContext, user: User): Promise<AnchorView> {
  const res = await request.post("/anchors", { headers: bearer(user.token) });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { anchor: AnchorView }).anchor;
}

async function downloadOts(request: APIRequestContext, ref: string | number): Promise<Buffer> {
  const res = await request.get(`/activities/${ref}/ots`);
  expect(res.status(), (await res.body()).toString("latin1").slice(0, 200)).toBe(200);
  return res.body();
}

test.describe("anchor API: bad requests", () => {
  let user: User;
  test.beforeAll(async ({ request }) => {
    user = await newUser(request, "anchorbad");
  });

  test("answers 400 for bad roots and paging, 404 for unknown roots and activities, 401 when not signed in, 405 otherwise", async ({ request }) => {
    const cases: [Promise<import("@playwright/test").APIResponse>, number, string, RegExp][] = [
      [request.get("/anchors?limit=0"), 400, "invalid_request", /limit/],
      [request.get("/anchors?limit=abc"), 400, "invalid_request", /limit/],
      [request.get("/anchors?cursor=-1"), 400, "invalid_request", /cursor/],
      [request.get("/anchors/xyz"), 400, "invalid_request", /64 hexadecimal digits/],
      [request.get(`/anchors/${"g".repeat(64)}`), 400, "invalid_request", /64 hexadecimal digits/],
      [request.get(`/anchors/${ZERO_ROOT}`), 404, "not_found", /no anchor/],
      [request.get(`/anchors/${ZERO_ROOT}?cursor=x`), 400, "invalid_request", /cursor/],
      [request.post("/anchors"), 401, "unauthorized", /./],
      [request.post(`/anchors/${ZERO_ROOT}/upgrade`), 401, "unauthorized", /./],
      [request.post(`/anchors/${ZERO_ROOT}/verify`), 401, "unauthorized", /./],
      [request.post("/anchors", { headers: bearer("not-a-token") }), 401, "unauthorized", /./],
      [request.post(`/anchors/${ZERO_ROOT}/upgrade`, { headers: bearer(user.token) }), 404, "not_found", /no anchor/],
      [request.post(`/anchors/${ZERO_ROOT}/verify`, { headers: bearer(user.token) }), 404, "not_found", /no anchor/],
      [request.post("/anchors/xyz/upgrade", { headers: bearer(user.token) }), 400, "invalid_request", /64 hexadecimal digits/],
      [request.delete("/anchors", { headers: bearer(user.token) }), 405, "method_not_allowed", /GET or POST/],
      [request.get(`/anchors/${ZERO_ROOT}/upgrade`), 405, "method_not_allowed", /POST/],
      [request.post(`/activities/1/ots`), 405, "method_not_allowed", /GET/],
      [request.get("/activities/999999999/ots"), 404, "not_found", /no activity/],
      [request.get("/activities/not-an-id/ots"), 404, "not_found", /no activity/],
      [request.get("/activities/999999999/anchor"), 404, "not_found", /no activity/],
    ];
    for (const [pending, status, error, message] of cases) {
      const body = await expectError(await pending, status, error);
      expect(body.message).toMatch(message);
    }
  });

  test("an activity not yet in a batch has no proof: 404 not_anchored, and a null anchor", async ({ request }) => {
    const { activity } = await createAsset(request, user);
    const id = String(activity.id).split("/").pop()!;
    const body = await expectError(await request.get(`/activities/${id}/ots`), 404, "not_anchored");
    expect(body.message).toBe("This activity is not anchored yet: it waits for the next batch.");
    expect(await getJson(request, `/activities/${id}/anchor`)).toEqual({ activity_id: id, anchor: null, ots_url: null });
    const list = await getJson<{ unanchored: number }>(request, "/anchors");
    expect(list.unanchored).toBeGreaterThanOrEqual(1);
  });
});

test.describe("anchor API: stamp, download, upgrade, verify", () => {
  test("anchors an activity at both calendars, serves a reference-valid .ots, upgrades it to a block and verifies it", async ({ request }) => {
    test.skip(referenceClientMissing !== null, referenceClientMissing ?? "");
    test.setTimeout(90_000);
    const user = await newUser(request, "anchorflow");
    const { asset, activity } = await createAsset(request, user);
    const id = String(activity.id).split("/").pop()!;
    const bodyRes = await request.get(`/activities/${id}`);
    const body = await bodyRes.text();

    const anchor = await anchorNow(request, user);
    expect(anchor).toMatchObject({ state: "pending", block_height: null, block_time: null, confirmed_at: null, last_error: null });
    expect(anchor.root).toMatch(/^[0-9a-f]{64}$/);
    expect(anchor.url).toMatch(new RegExp(`/anchors/${anchor.root}$`));
    expect(anchor.activity_count).toBeGreaterThanOrEqual(1);
    expect(anchor.calendars.map((c) => [c.url, c.state, c.attempts, c.error])).toEqual([
      [OTS_CALENDAR_A.url, "pending", 1, null],
      [OTS_CALENDAR_B.url, "pending", 1, null],
    ]);

    await test.step("nothing left: POST /anchors answers 200 with no anchor", async () => {
      const res = await request.post("/anchors", { headers: bearer(user.token) });
      expect(res.status()).toBe(200);
      expect(await res.json()).toEqual({ anchor: null, message: "Nothing to anchor: every activity is already in a batch." });
      expect((await getJson<{ unanchored: number }>(request, "/anchors")).unanchored).toBe(0);
    });

    await test.step("the anchor is listed, newest first, and holds the activity", async () => {
      const list = await getJson<{ items: AnchorView[]; next_cursor: string | null; unanchored: number }>(request, "/anchors?limit=1");
      expect(list.items[0]).toEqual(anchor);
      const detail = await getJson<AnchorDetail>(request, `/anchors/${anchor.root}`);
      expect(detail).toMatchObject({ ...anchor });
      const mine = detail.activities.find((a) => a.id === id);
      expect(mine).toEqual({
        id,
        index: asset.activity_index,
        url: expect.stringMatching(new RegExp(`/activities/${id}$`)),
        ots_url: expect.stringMatching(new RegExp(`/activities/${id}/ots$`)),
      });
      const state = await getJson<{ activity_id: string; anchor: AnchorView; ots_url: string }>(request, `/activities/${id}/anchor`);
      expect(state.anchor.root).toBe(anchor.root);
      expect(state.ots_url).toMatch(new RegExp(`/activities/${id}/ots$`));
    });

    await test.step("the pending .ots downloads and the reference client accepts it", async () => {
      const res = await request.get(`/activities/${id}/ots`);
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toBe("application/vnd.opentimestamps.v1");
      expect(res.headers()["content-disposition"]).toBe(`attachment; filename="${id}.ots"`);
      const ots = await res.body();
      const result = await runOracle(ots, body);
      expect(result).toMatchObject({ parsed: true, digest_matches: true, reserialized_identical: true });
      expect(result.file_digest).toBe(createHash("sha256").update(body, "utf8").digest("hex"));
      expect(result.attestations!.map((a) => `${a.kind} ${a.uri}`).sort()).toEqual([`pending ${OTS_CALENDAR_A.url}`, `pending ${OTS_CALENDAR_B.url}`]);
      // Another activity's bytes do not match this proof.
      expect((await runOracle(ots, `${body} `)).digest_matches).toBe(false);
    });

    await test.step("before a block: upgrade changes nothing, verify says it waits for Bitcoin", async () => {
      const up = await request.post(`/anchors/${anchor.root}/upgrade`, { headers: bearer(user.token) });
      expect(up.status()).toBe(200);
      expect(await up.json()).toMatchObject({ changed: false, anchor: { root: anchor.root, state: "pending" } });
      const v = await request.post(`/anchors/${anchor.root}/verify`, { headers: bearer(user.token) });
      expect(v.status()).toBe(200);
      expect(await v.json()).toEqual({
        root: anchor.root,
        verified: false,
        state: "pending",
        block_height: null,
        block_time: null,
        message: expect.stringMatching(/waits for a Bitcoin attestation/),
      });
    });

    let height = 0;
    await test.step("a calendar mines the block; upgrade confirms the anchor", async () => {
      const mined = await request.post(`${OTS_CALENDAR_A.url}/__mine`, { data: {} });
      expect(mined.status()).toBe(200);
      height = ((await mined.json()) as { height: number }).height;
      const up = await request.post(`/anchors/${anchor.root}/upgrade`, { headers: bearer(user.token) });
      expect(up.status()).toBe(200);
      const result = (await up.json()) as { anchor: AnchorView; changed: boolean };
      expect(result.changed).toBe(true);
      expect(result.anchor).toMatchObject({ state: "confirmed", block_height: height, last_error: null });
      expect(result.anchor.calendars.map((c) => c.state)).toEqual(["complete", "pending"]);
    });

    await test.step("the upgraded .ots (by index and by id) verifies with the reference client against the block", async () => {
      const byId = await downloadOts(request, id);
      const index = (await getJson<AnchorDetail>(request, `/anchors/${anchor.root}`)).activities.find((a) => a.id === id)!.index;
      expect((await downloadOts(request, index)).equals(byId)).toBe(true);
      const result = await runOracle(byId, body, OTS_ESPLORA.url);
      expect(result).toMatchObject({ parsed: true, digest_matches: true, reserialized_identical: true });
      expect(result.attestations!.filter((a) => a.kind === "bitcoin")).toEqual([expect.objectContaining({ height, verified: true })]);
    });

    await test.step("verify re-checks the block", async () => {
      const v = await request.post(`/anchors/${anchor.root}/verify`, { headers: bearer(user.token) });
      expect(v.status()).toBe(200);
      expect(await v.json()).toMatchObject({
        root: anchor.root,
        verified: true,
        state: "confirmed",
        block_height: height,
        message: expect.stringMatching(/^Verified/),
      });
    });
  });
});
