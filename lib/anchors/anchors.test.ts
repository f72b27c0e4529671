import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEsplora, type EsploraStub } from "../../e2e/fixtures/esplora";
import { startOtsCalendar, type StubCalendar } from "../../e2e/fixtures/ots-calendar";
import { registerUser } from "@/lib/accounts";
import type { AppContext } from "@/lib/context";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import {
  anchorNow,
  anchorPending,
  anchorSchedule,
  checkActivityOts,
  countAnchors,
  countUnanchored,
  getActivityAnchor,
  getActivityOts,
  getAnchorDetail,
  listAnchors,
  upgradeAnchor,
  upgradeAnchors,
  verifyAnchor,
  type AnchorOptions,
} from ".";
import { allAttestations, parseDetached } from "./ots";
import { bytesToHex, sha256 } from "./ots-bytes";

const OPTIONS: AnchorOptions = { remote: { timeoutMs: 5000 } };
let counter = 0;

async function register(ctx: AppContext, n = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `art${++counter}_${Date.now().toString(36)}`;
    const input = registerAssetInput.parse({ name, content_hash: createHash("sha3-256").update(name).digest("hex"), asset_type: "image" });
    const { activity } = await registerAsset(ctx, "alice", input);
    ids.push(activity.id.split("/").pop()!);
  }
  return ids;
}

async function otsOf(ctx: AppContext, id: string) {
  const bytes = await getActivityOts(ctx, id);
  const body = (await ctx.prisma.activity.findUniqueOrThrow({ where: { id }, select: { body: true } })).body;
  return { bytes, body, ots: parseDetached(bytes) };
}

function kinds(ots: ReturnType<typeof parseDetached>): string[] {
  return allAttestations(ots.timestamp)
    .map(({ attestation: a }) => (a.kind === "pending" ? `pending ${a.uri}` : a.kind === "bitcoin" ? `bitcoin ${a.height}` : "unknown"))
    .sort();
}

/** Every activity is in exactly one anchor, and each anchor's count is its activities. */
async function expectEachAnchoredOnce(ctx: AppContext): Promise<void> {
  expect(await ctx.prisma.activity.count({ where: { anchorRoot: null } })).toBe(0);
  const anchors = await ctx.prisma.anchor.findMany({ select: { root: true, activityCount: true } });
  for (const a of anchors) expect(await ctx.prisma.activity.count({ where: { anchorRoot: a.root } })).toBe(a.activityCount);
  expect(anchors.reduce((n, a) => n + a.activityCount, 0)).toBe(await ctx.prisma.activity.count());
}

describe("anchorSchedule", () => {
  it("maps ANCHOR_INTERVAL_MINUTES to a cron, 0 to none", () => {
    expect(anchorSchedule(0)).toBeNull();
    expect(anchorSchedule(15)).toBe("*/15 * * * *");
    expect(anchorSchedule(60)).toBe("0 */1 * * *");
    expect(anchorSchedule(180)).toBe("0 */3 * * *");
    expect(anchorSchedule(1440)).toBe("0 0 * * *");
    expect(anchorSchedule(10080)).toBe("0 0 */7 * *");
  });
});

describe.each(databaseKinds)("anchors on %s", (kind) => {
  let t: TestContext;
  let ctx: AppContext;
  let esplora: EsploraStub;
  let calA: StubCalendar;
  let calB: StubCalendar;

  beforeAll(async () => {
    esplora = await startEsplora();
    calA = await startOtsCalendar({ esploraUrl: esplora.url });
    calB = await startOtsCalendar({ esploraUrl: esplora.url });
    t = await createTestContext(kind, { OTS_CALENDARS: `${calA.url},${calB.url}`, OTS_ESPLORA_URL: esplora.url });
    ctx = t.ctx;
    await registerUser(ctx, { username: "alice", password: "password alice" }, { client: null });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([calA?.close(), calB?.close(), esplora?.close()]);
  });

  beforeEach(async () => {
    calA.controls.setMode("ok");
    calB.controls.setMode("ok");
    // Every test starts with nothing unanchored and nothing waiting to be mined.
    await anchorPending(ctx, OPTIONS);
    await calA.controls.mine();
    await calB.controls.mine();
    await upgradeAnchors(ctx, OPTIONS);
  });

  it("stamps a batch at both calendars, upgrades it once a calendar has a block, and verifies it", async () => {
    const ids = await register(ctx, 3);
    const { created } = await anchorPending(ctx, OPTIONS);
    expect(created).toHaveLength(1);
    const anchor = created[0];
    expect(anchor).toMatchObject({ state: "pending", activity_count: 3, block_height: null, last_error: null, url: `https://l2.test/anchors/${anchor.root}` });
    expect(anchor.submitted_at).not.toBeNull();
    expect(anchor.calendars).toEqual([
      { url: calA.url, state: "pending", attempts: 1, error: null, answered_at: expect.any(String) },
      { url: calB.url, state: "pending", attempts: 1, error: null, answered_at: expect.any(String) },
    ]);
    for (const id of ids) {
      const { ots, body } = await otsOf(ctx, id);
      expect(bytesToHex(ots.fileDigest)).toBe(bytesToHex(sha256(body)));
      expect(kinds(ots)).toEqual([`pending ${calA.url}`, `pending ${calB.url}`].sort());
      expect(await getActivityAnchor(ctx, id)).toEqual({ activity_id: id, anchor, ots_url: `https://l2.test/activities/${id}/ots` });
    }

    // Not mined yet: the calendars answer 404 and nothing changes.
    const early = await upgradeAnchor(ctx, anchor.root, OPTIONS);
    expect(early.changed).toBe(false);
    expect(early.anchor.state).toBe("pending");
    expect(await verifyAnchor(ctx, anchor.root, OPTIONS)).toMatchObject({
      verified: false,
      state: "pending",
      message: expect.stringMatching(/waits for a Bitcoin attestation/),
    });

    const block = await calA.controls.mine();
    const upgraded = await upgradeAnchor(ctx, anchor.root, OPTIONS);
    expect(upgraded.changed).toBe(true);
    expect(upgraded.anchor).toMatchObject({ state: "confirmed", block_height: block!.height, last_error: null });
    expect(upgraded.anchor.block_time).not.toBeNull();
    expect(upgraded.anchor.confirmed_at).not.toBeNull();
    expect(upgraded.anchor.calendars.map((c) => [c.url, c.state])).toEqual([
      [calA.url, "complete"],
      [calB.url, "pending"],
    ]);
    for (const id of ids) {
      const { ots, body, bytes } = await otsOf(ctx, id);
      expect(kinds(ots)).toContain(`bitcoin ${block!.height}`);
      const check = await checkActivityOts(ctx, body, bytes, OPTIONS);
      expect(check).toMatchObject({ ok: true, blocks: [{ ok: true, height: block!.height }] });
    }
    expect(await verifyAnchor(ctx, anchor.root, OPTIONS)).toMatchObject({
      root: anchor.root,
      verified: true,
      state: "confirmed",
      block_height: block!.height,
      message: expect.stringMatching(/^Verified: Block \d+/),
    });
    // Confirmed anchors are left alone.
    expect((await upgradeAnchor(ctx, anchor.root, OPTIONS)).changed).toBe(false);
  });

  it("anchors with one calendar down: the other one suffices", async () => {
    const [id] = await register(ctx, 1);
    calB.controls.setMode("down");
    const { created } = await anchorPending(ctx, OPTIONS);
    expect(created[0].submitted_at).not.toBeNull();
    expect(created[0].last_error).toBeNull();
    expect(created[0].calendars[0]).toMatchObject({ url: calA.url, state: "pending", error: null });
    expect(created[0].calendars[1]).toMatchObject({ url: calB.url, state: "failed", attempts: 1, error: expect.stringContaining("could not be reached") });
    expect(kinds((await otsOf(ctx, id)).ots)).toEqual([`pending ${calA.url}`]);
    const block = await calA.controls.mine();
    expect((await upgradeAnchor(ctx, created[0].root, OPTIONS)).anchor).toMatchObject({ state: "confirmed", block_height: block!.height });
  });

  it("keeps a batch pending with no proof when every calendar is down, retries it, and loses nothing", async () => {
    const first = await register(ctx, 2);
    calA.controls.setMode("down");
    calB.controls.setMode("down");
    const { created } = await anchorPending(ctx, OPTIONS);
    const root = created[0].root;
    expect(created[0]).toMatchObject({ state: "pending", submitted_at: null, activity_count: 2 });
    expect(created[0].last_error).toMatch(/^No calendar answered; the submission is retried on the next run\./);
    expect(created[0].calendars.map((c) => c.state)).toEqual(["failed", "failed"]);
    const err = await rejectsWithAppError(getActivityOts(ctx, first[0]));
    expect(err).toMatchObject({ code: "not_anchored", status: 404 });
    expect(err.message).toMatch(/no calendar answer yet/);
    expect((await getActivityAnchor(ctx, first[0])).ots_url).toBeNull();

    // Still down: the next run retries and creates nothing new.
    expect(await anchorPending(ctx, OPTIONS)).toMatchObject({ created: [], retried: 1 });
    const later = await register(ctx, 1);
    calA.controls.setMode("ok");
    calB.controls.setMode("ok");
    const run = await anchorPending(ctx, OPTIONS);
    expect(run.retried).toBe(1);
    expect(run.created).toHaveLength(1);
    expect(run.created[0].activity_count).toBe(1);
    const retried = await getAnchorDetail(ctx, root);
    expect(retried).toMatchObject({ submitted_at: expect.any(String), last_error: null });
    expect(retried.calendars.map((c) => [c.state, c.attempts])).toEqual([
      ["pending", 3],
      ["pending", 3],
    ]);
    expect(retried.activities.map((a) => a.id).sort()).toEqual([...first].sort());
    for (const id of [...first, ...later]) expect((await otsOf(ctx, id)).ots.fileDigest).toHaveLength(32);
    await expectEachAnchoredOnce(ctx);
  });

  it("retries a submission no calendar answered on upgrade too", async () => {
    await register(ctx, 1);
    calA.controls.setMode("down");
    calB.controls.setMode("down");
    const { created } = await anchorPending(ctx, OPTIONS);
    calB.controls.setMode("ok");
    const result = await upgradeAnchor(ctx, created[0].root, OPTIONS);
    expect(result.changed).toBe(true);
    expect(result.anchor.submitted_at).not.toBeNull();
    expect(result.anchor.calendars.map((c) => c.state)).toEqual(["failed", "pending"]);
  });

  it("does not confirm an attestation whose block's merkle root does not match, and says so", async () => {
    const [id] = await register(ctx, 1);
    const { created } = await anchorPending(ctx, OPTIONS);
    calA.controls.setMode("wrong-root");
    const block = await calA.controls.mine();
    calA.controls.setMode("ok");
    const result = await upgradeAnchor(ctx, created[0].root, OPTIONS);
    expect(result.changed).toBe(false);
    expect(result.anchor).toMatchObject({ state: "pending", block_height: null, last_error: `Block ${block!.height}'s merkle root does not match the proof.` });
    expect(result.anchor.calendars[0]).toMatchObject({ state: "pending", error: `Block ${block!.height}'s merkle root does not match the proof.` });
    // The false attestation is not put into anyone's proof.
    expect(kinds((await otsOf(ctx, id)).ots)).toEqual([`pending ${calA.url}`, `pending ${calB.url}`].sort());
    // The other calendar's honest block still confirms it.
    const good = await calB.controls.mine();
    expect((await upgradeAnchor(ctx, created[0].root, OPTIONS)).anchor).toMatchObject({ state: "confirmed", block_height: good!.height, last_error: null });
  });

  it("fails verification of a confirmed anchor clearly when the chain no longer has its merkle root", async () => {
    const [id] = await register(ctx, 1);
    const { created } = await anchorPending(ctx, OPTIONS);
    const block = await calA.controls.mine();
    await upgradeAnchor(ctx, created[0].root, OPTIONS);
    esplora.controls.addBlock({ height: block!.height, merkleRoot: "ab".repeat(32) });
    expect(await verifyAnchor(ctx, created[0].root, OPTIONS)).toMatchObject({
      verified: false,
      state: "confirmed",
      message: `Block ${block!.height}'s merkle root does not match the proof.`,
    });
    const { body, bytes } = await otsOf(ctx, id);
    expect(await checkActivityOts(ctx, body, bytes, OPTIONS)).toEqual({ ok: false, reason: `Block ${block!.height}'s merkle root does not match the proof.` });
  });

  it("marks a calendar answering garbage as failed and anchors with the other", async () => {
    await register(ctx, 1);
    calA.controls.setMode("garbage");
    const { created } = await anchorPending(ctx, OPTIONS);
    expect(created[0].calendars[0]).toMatchObject({
      state: "failed",
      error: expect.stringMatching(/answered something that is not a timestamp \(unknown operation 0x42\)/),
    });
    expect(created[0].calendars[1]).toMatchObject({ state: "pending", error: null });
    expect(created[0].submitted_at).not.toBeNull();
  });

  it("refuses a calendar answering 10 MiB without reading it, and anchors with the other", async () => {
    await register(ctx, 1);
    calA.controls.setMode("huge");
    const started = Date.now();
    const { created } = await anchorPending(ctx, OPTIONS);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(created[0].calendars[0]).toMatchObject({ state: "failed", error: expect.stringContaining("sent more than 64 KiB") });
    expect(created[0].calendars[1].state).toBe("pending");
  });

  it("keeps an anchor pending when a calendar answers its upgrade with garbage or 10 MiB", async () => {
    await register(ctx, 1);
    const { created } = await anchorPending(ctx, OPTIONS);
    await calA.controls.mine();
    calA.controls.setMode("garbage");
    let result = await upgradeAnchor(ctx, created[0].root, OPTIONS);
    expect(result).toMatchObject({ changed: false, anchor: { state: "pending" } });
    expect(result.anchor.calendars[0]).toMatchObject({ state: "pending", error: expect.stringContaining("not a timestamp") });
    calA.controls.setMode("huge");
    result = await upgradeAnchor(ctx, created[0].root, OPTIONS);
    expect(result.anchor.calendars[0]).toMatchObject({ state: "pending", error: expect.stringContaining("more than 64 KiB") });
    calA.controls.setMode("ok");
    result = await upgradeAnchor(ctx, created[0].root, OPTIONS);
    expect(result.anchor).toMatchObject({ state: "confirmed" });
    expect(result.anchor.calendars[0]).toMatchObject({ state: "complete", error: null });
  });

  it("only asks calendars that are still configured, never a URL from a proof", async () => {
    await register(ctx, 1);
    const { created } = await anchorPending(ctx, OPTIONS);
    await calA.controls.mine();
    const onlyB: AppContext = { ...ctx, config: { ...ctx.config, otsCalendars: [calB.url] } };
    const before = calA.controls.requests.length;
    const result = await upgradeAnchor(onlyB, created[0].root, OPTIONS);
    expect(calA.controls.requests.length).toBe(before);
    expect(result.anchor.state).toBe("pending");
    expect(result.anchor.calendars[0].error).toBe(`${calA.url} is no longer in OTS_CALENDARS; it is not asked.`);
  });

  it("rejects an .ots whose digest is not the activity's, and one that is not a proof", async () => {
    const [a, b] = await register(ctx, 2);
    await anchorPending(ctx, OPTIONS);
    const proofA = await otsOf(ctx, a);
    const bodyB = (await otsOf(ctx, b)).body;
    expect(await checkActivityOts(ctx, bodyB, proofA.bytes, OPTIONS)).toEqual({
      ok: false,
      reason: "The proof is for other bytes: its digest is not the SHA-256 of this activity.",
    });
    expect(await checkActivityOts(ctx, proofA.body, proofA.bytes.slice(0, 40), OPTIONS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^Not a valid proof/),
    });
    expect(await checkActivityOts(ctx, proofA.body, proofA.bytes, OPTIONS)).toMatchObject({ ok: true });
  });

  it("lets an upgrade race a new batch without losing or doubling anything", async () => {
    const old = await register(ctx, 3);
    const { created } = await anchorPending(ctx, OPTIONS);
    await calA.controls.mine();
    const fresh = await register(ctx, 4);
    const [upgraded, run] = await Promise.all([upgradeAnchor(ctx, created[0].root, OPTIONS), anchorPending(ctx, OPTIONS)]);
    expect(upgraded.anchor).toMatchObject({ state: "confirmed", activity_count: 3 });
    expect(run.created).toHaveLength(1);
    expect(run.created[0]).toMatchObject({ state: "pending", activity_count: 4 });
    const detail = await getAnchorDetail(ctx, run.created[0].root);
    expect(detail.activities.map((a) => a.id).sort()).toEqual([...fresh].sort());
    expect((await getAnchorDetail(ctx, created[0].root)).activities.map((a) => a.id).sort()).toEqual([...old].sort());
    await expectEachAnchoredOnce(ctx);
  });

  it("anchors activities registered while a batch is being built exactly once", async () => {
    await register(ctx, 2);
    const racing = Promise.all([register(ctx, 3), register(ctx, 3)]);
    const runs = await Promise.all([anchorPending(ctx, OPTIONS), anchorPending(ctx, OPTIONS), racing.then(() => anchorPending(ctx, OPTIONS))]);
    await racing;
    await anchorPending(ctx, OPTIONS);
    expect(runs.flatMap((r) => r.created).length).toBeGreaterThanOrEqual(1);
    await expectEachAnchoredOnce(ctx);
  });

  it("splits a large backlog into batches of batchSize", async () => {
    await register(ctx, 5);
    const { created } = await anchorPending(ctx, { ...OPTIONS, batchSize: 2 });
    expect(created.map((a) => a.activity_count)).toEqual([2, 2, 1]);
    await expectEachAnchoredOnce(ctx);
  });

  it("answers nothing to anchor when every activity is in a batch", async () => {
    expect(await anchorPending(ctx, OPTIONS)).toEqual({ created: [], retried: 0 });
  });

  it("lists anchors newest first with keyset paging and the unanchored count", async () => {
    await register(ctx, 1);
    await anchorPending(ctx, OPTIONS);
    const pending = await register(ctx, 2);
    const total = await countAnchors(ctx);
    const page1 = await listAnchors(ctx, { limit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.unanchored).toBe(2);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await listAnchors(ctx, { limit: 100, cursor: page1.next_cursor! });
    expect(page1.items.length + page2.items.length).toBe(total);
    expect(page2.next_cursor).toBeNull();
    const all = [...page1.items, ...page2.items].map((a) => a.created_at);
    expect(new Set([...page1.items, ...page2.items].map((a) => a.root)).size).toBe(total);
    expect(all.length).toBe(total);
    const err = await rejectsWithAppError(getActivityOts(ctx, pending[0]));
    expect(err).toMatchObject({ code: "not_anchored", status: 404, message: "This activity is not anchored yet: it waits for the next batch." });
    expect(await getActivityAnchor(ctx, pending[0])).toEqual({ activity_id: pending[0], anchor: null, ots_url: null });
  });

  it("pages a batch's activities in index order", async () => {
    const ids = await register(ctx, 3);
    const { created } = await anchorPending(ctx, OPTIONS);
    const first = await getAnchorDetail(ctx, created[0].root, { limit: 2 });
    expect(first.activities.map((a) => a.id)).toEqual(ids.slice(0, 2));
    expect(first.activities[0]).toEqual({
      id: ids[0],
      index: expect.any(Number),
      url: `https://l2.test/activities/${ids[0]}`,
      ots_url: `https://l2.test/activities/${ids[0]}/ots`,
    });
    const second = await getAnchorDetail(ctx, created[0].root, { limit: 2, cursor: first.activities_next_cursor! });
    expect(second.activities.map((a) => a.id)).toEqual(ids.slice(2));
    expect(second.activities_next_cursor).toBeNull();
  });

  it("answers 400 for a root that is not 64 hex digits and 404 for an unknown one", async () => {
    for (const call of [(r: string) => getAnchorDetail(ctx, r), (r: string) => upgradeAnchor(ctx, r, OPTIONS), (r: string) => verifyAnchor(ctx, r, OPTIONS)]) {
      expect(await rejectsWithAppError(call("xyz"))).toMatchObject({
        code: "invalid_request",
        status: 400,
        message: "An anchor root is 64 hexadecimal digits (a SHA-256).",
      });
      expect(await rejectsWithAppError(call("0".repeat(64)))).toMatchObject({ code: "not_found", status: 404 });
    }
  });

  it("limits anchorNow per user (RATE_LIMIT_ANCHOR): 429 with Retry-After before anything is done; others and the next window are unaffected", async () => {
    const limited = await createTestContext(kind, { RATE_LIMIT_ANCHOR: "2/60", OTS_CALENDARS: `${calA.url},${calB.url}`, OTS_ESPLORA_URL: esplora.url });
    try {
      for (const u of ["alice", "bob"]) await registerUser(limited.ctx, { username: u, password: `password ${u}` }, { client: null });
      expect((await anchorNow(limited.ctx, "alice", OPTIONS)).created).toEqual([]);
      expect((await anchorNow(limited.ctx, "alice", OPTIONS)).created).toEqual([]);
      await register(limited.ctx, 1);
      const err = await rejectsWithAppError(anchorNow(limited.ctx, "alice", OPTIONS));
      expect(err).toMatchObject({ code: "rate_limited", status: 429 });
      expect(Number(err.extra.headers?.["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(err.extra.headers?.["retry-after"])).toBeLessThanOrEqual(60);
      // Refused before anything was done: the activity still waits.
      expect(await countUnanchored(limited.ctx)).toBe(1);
      // Another user has a budget of their own (and anchors the waiting activity).
      expect((await anchorNow(limited.ctx, "bob", OPTIONS)).created).toHaveLength(1);
      expect(await countUnanchored(limited.ctx)).toBe(0);
      // The next window lets alice in again.
      limited.setNow(new Date(Date.now() + 61_000));
      expect((await anchorNow(limited.ctx, "alice", OPTIONS)).created).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});
