// The reference OpenTimestamps client (Debian python3-opentimestamps) as the oracle for every kind
// of `.ots` L2 serves: pending, upgraded, and the ones that must be rejected.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEsplora, type EsploraStub } from "../../e2e/fixtures/esplora";
import { startOtsCalendar, type StubCalendar } from "../../e2e/fixtures/ots-calendar";
import { registerUser } from "@/lib/accounts";
import { registerAsset, registerAssetInput } from "@/lib/registry";
import { createTestContext, type TestContext } from "@/lib/testing";
import { anchorPending, getActivityOts, upgradeAnchor } from ".";
import { referenceClientMissing, runOracle } from "./testdata/oracle";

if (referenceClientMissing) console.warn(referenceClientMissing);

describe.skipIf(referenceClientMissing !== null)("L2's .ots files and the reference client", () => {
  let t: TestContext;
  let esplora: EsploraStub;
  let calA: StubCalendar;
  let calB: StubCalendar;
  const bodies = new Map<string, string>();
  let root = "";

  beforeAll(async () => {
    esplora = await startEsplora();
    calA = await startOtsCalendar({ esploraUrl: esplora.url });
    calB = await startOtsCalendar({ esploraUrl: esplora.url });
    t = await createTestContext("pglite", { OTS_CALENDARS: `${calA.url},${calB.url}`, OTS_ESPLORA_URL: esplora.url });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
    // Five leaves: an odd node is carried up, so paths of different lengths are exercised.
    for (let i = 0; i < 5; i++) {
      const name = `oracle_${i}`;
      const input = registerAssetInput.parse({ name, content_hash: createHash("sha3-256").update(name).digest("hex"), asset_type: "image" });
      const { activity } = await registerAsset(t.ctx, "alice", input);
      const id = activity.id.split("/").pop()!;
      const row = await t.ctx.prisma.activity.findUniqueOrThrow({ where: { id }, select: { body: true } });
      bodies.set(id, row.body);
    }
    const { created } = await anchorPending(t.ctx);
    root = created[0].root;
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([calA?.close(), calB?.close(), esplora?.close()]);
  });

  it("parses every pending proof, finds the activity's digest and both calendars' pending attestations", async () => {
    for (const [id, body] of bodies) {
      const result = await runOracle(await getActivityOts(t.ctx, id), body);
      expect(result).toMatchObject({ parsed: true, digest_matches: true, reserialized_identical: true });
      expect(result.file_digest).toBe(createHash("sha256").update(body, "utf8").digest("hex"));
      expect(result.attestations!.map((a) => `${a.kind} ${a.uri}`).sort()).toEqual([`pending ${calA.url}`, `pending ${calB.url}`].sort());
    }
  });

  it("verifies every upgraded proof's Bitcoin attestation against the block header", async () => {
    const block = await calB.controls.mine();
    const { anchor } = await upgradeAnchor(t.ctx, root);
    expect(anchor.state).toBe("confirmed");
    for (const [id, body] of bodies) {
      const result = await runOracle(await getActivityOts(t.ctx, id), body, esplora.url);
      expect(result).toMatchObject({ parsed: true, digest_matches: true, reserialized_identical: true });
      const bitcoin = result.attestations!.filter((a) => a.kind === "bitcoin");
      expect(bitcoin).toEqual([
        expect.objectContaining({ height: block!.height, verified: true, verified_time: Math.floor(new Date(anchor.block_time!).getTime() / 1000) }),
      ]);
      expect(result.attestations!.filter((a) => a.kind === "pending")).toHaveLength(2);
    }
  });

  it("reports a digest mismatch for an .ots that is not the activity's", async () => {
    const [a, b] = [...bodies.keys()];
    const result = await runOracle(await getActivityOts(t.ctx, a), bodies.get(b)!);
    expect(result).toMatchObject({ parsed: true, digest_matches: false });
  });

  it("fails the Bitcoin check when the block's merkle root is not the proof's", async () => {
    const [id] = [...bodies.keys()];
    const ots = await getActivityOts(t.ctx, id);
    const height = (await runOracle(ots, bodies.get(id)!)).attestations!.find((a) => a.kind === "bitcoin")!.height!;
    const honest = esplora.controls.blocks().find((b) => b.height === height)!;
    esplora.controls.addBlock({ height, merkleRoot: "cd".repeat(32) });
    try {
      const result = await runOracle(ots, bodies.get(id)!, esplora.url);
      expect(result.attestations!.find((a) => a.kind === "bitcoin")).toMatchObject({ verified: false, error: "Digest does not match merkleroot" });
    } finally {
      esplora.controls.addBlock({ height, merkleRoot: honest.merkleRoot, time: honest.time });
    }
  });

  it("rejects a truncated proof", async () => {
    const [id] = [...bodies.keys()];
    const ots = await getActivityOts(t.ctx, id);
    const result = await runOracle(ots.slice(0, ots.length - 3), bodies.get(id)!);
    expect(result.parsed).toBe(false);
    expect(result.error).toMatch(/Error/);
  });
});
