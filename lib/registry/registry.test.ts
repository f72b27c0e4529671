import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import {
  createProof,
  DATA_INTEGRITY_CONTEXT,
  readActorEd25519Key,
  readActorPrivateKey,
  readActorPublicKey,
  signActivity,
  verifyActivitySignature,
  verifyProof,
} from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { storeActivity } from "./activities";
import {
  checkActivityProof,
  checkActivitySignature,
  getActivity,
  getAsset,
  getClaimObject,
  listActivities,
  listAssets,
  listAssetsQuery,
  registerAsset,
  registerAssetInput,
  type RegisterAssetInput,
} from ".";

const hash = (s: string) => createHash("sha3-256").update(s).digest("hex");

function input(overrides: Partial<Record<keyof RegisterAssetInput, unknown>> = {}): RegisterAssetInput {
  return registerAssetInput.parse({ name: "cat", content_hash: hash("cat"), asset_type: "image", ...overrides });
}

describe("registerAssetInput", () => {
  it("stores an upper-case hash in lower case", () => {
    expect(input({ content_hash: hash("x").toUpperCase() }).content_hash).toBe(hash("x"));
  });

  it.each(
    [
      [{ content_hash: hash("x").slice(1) }, "content_hash", "64 hex"],
      [{ content_hash: "z".repeat(64) }, "content_hash", "64 hex"],
      [{ name: "my cat" }, "name", "only letters"],
      [{ name: "a".repeat(129) }, "name", "at most 128"],
      [{ name: "" }, "name", "required"],
      [{ asset_type: "painting" }, "asset_type", "must be one of"],
      [{ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, "tags", "at most 32"],
      [{ tags: ["x".repeat(65)] }, "tags.0", "at most 64"],
      [{ tags: [""] }, "tags.0", "empty"],
      [{ tags: "art" }, "tags", "array"],
      [{ metadata: { blob: "x".repeat(16 * 1024) } }, "metadata", "16 KiB"],
      [{ metadata: [1, 2] }, "metadata", "JSON object"],
      [{ url: "javascript:alert(1)" }, "url", "http(s)"],
    ].map(([bad, field, message]) => [`${Object.keys(bad)[0]} (${message})`, bad as Record<string, unknown>, field as string, message as string] as const),
  )("refuses a bad %s", (_label, bad, field, message) => {
    const r = registerAssetInput.safeParse({ name: "cat", content_hash: hash("cat"), asset_type: "image", ...bad });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join(".") === field);
    expect(issue?.message).toContain(message);
  });

  it("accepts the edges: 32 tags of 64 characters, a 128-character name, names like effect:identity", () => {
    const ok = registerAssetInput.safeParse({
      name: "effect:identity",
      content_hash: hash("e"),
      asset_type: "effect",
      tags: Array.from({ length: 32 }, (_, i) => `${i}`.padEnd(64, "x")),
    });
    expect(ok.success).toBe(true);
    expect(registerAssetInput.safeParse({ name: "a".repeat(128), content_hash: hash("e"), asset_type: "unknown" }).success).toBe(true);
  });
});

describe.each(databaseKinds)("the registry on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    for (const u of ["alice", "bob"]) await registerUser(t.ctx, { username: u, password: "password " + u }, { client: null });
  });
  afterAll(() => t.close());

  it("registers an asset with one signed Create, stored once and verifiable with the owner's key", async () => {
    const { asset, activity } = await registerAsset(
      t.ctx,
      "alice",
      input({ tags: ["art", "cats", "art"], metadata: { title: "Chat ✨", n: 1.5, nested: { a: [1, "😀"] } } }),
    );
    expect(asset).toMatchObject({
      name: "cat",
      content_hash: hash("cat"),
      asset_type: "image",
      tags: ["art", "cats"],
      owner: "alice",
      provenance: null,
      activity_index: 1,
    });
    expect(activity).toMatchObject({
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v1"],
      type: "Create",
      actor: "https://l2.test/users/alice",
      object: {
        type: "Image",
        name: "cat",
        id: `https://l2.test/objects/${hash("cat")}`,
        contentHash: { algorithm: "sha3-256", value: hash("cat") },
        attributedTo: "https://l2.test/users/alice",
        tags: ["art", "cats"],
        metadata: { title: "Chat ✨", n: 1.5, nested: { a: [1, "😀"] } },
      },
      signature: { type: "RsaSignature2017", creator: "https://l2.test/users/alice#main-key" },
    });
    expect(activity.id).toBe(`https://l2.test/activities/${asset.activity_id}`);
    expect(String(activity.published)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const stored = (await getActivity(t.ctx, "1"))!;
    expect(stored.body).toBe(JSON.stringify(activity));
    expect((await getActivity(t.ctx, asset.activity_id))!.body).toBe(stored.body);
    expect((await getActivity(t.ctx, activity.id))!.index).toBe(1);
    const publicKey = (await readActorPublicKey(t.config.keysDir, "alice"))!;
    expect(verifyActivitySignature(JSON.parse(stored.body), publicKey)).toEqual({ ok: true });
    expect(await checkActivitySignature(t.ctx, stored)).toEqual({ verified: true, creator: "https://l2.test/users/alice#main-key" });
    expect(await getClaimObject(t.ctx, hash("cat"))).toEqual({ "@context": activity["@context"], ...(activity.object as object) });
    // FEP-8b32: an eddsa-jcs-2022 proof by the owner's Ed25519 key, made before the Art DAG signature.
    expect(activity.proof).toMatchObject({
      type: "DataIntegrityProof",
      cryptosuite: "eddsa-jcs-2022",
      verificationMethod: "https://l2.test/users/alice#ed25519-key",
      proofPurpose: "assertionMethod",
    });
    const ed = (await readActorEd25519Key(t.config.keysDir, "alice"))!;
    expect(await verifyProof(JSON.parse(stored.body), { resolvePublicKey: async () => ed.publicKey })).toMatchObject({ ok: true });
    // The proof carries the activity's @context (vc-di-eddsa Create Proof step 2), so it verifies
    // hashed exactly as published.
    expect((activity.proof as Record<string, unknown>)["@context"]).toEqual(activity["@context"]);
    expect(await checkActivityProof(t.ctx, stored)).toEqual({
      verified: true,
      verificationMethod: "https://l2.test/users/alice#ed25519-key",
      form: "as_published",
    });
  });

  it("still verifies an activity stored before the proof carried @context, and serves its bytes unchanged", async () => {
    // Exactly what the earlier code stored: the proof hashed with the document's @context but
    // published without it (the same proofValue), then the Art DAG signature.
    const actor = "https://l2.test/users/alice";
    const ed = (await readActorEd25519Key(t.config.keysDir, "alice"))!;
    const unsigned = {
      "@context": ["https://www.w3.org/ns/activitystreams", DATA_INTEGRITY_CONTEXT],
      type: "Create",
      id: "https://l2.test/activities/0f0e0d0c-0b0a-4909-8807-060504030201",
      actor,
      object: { type: "Image", name: "legacy", id: `https://l2.test/objects/${hash("legacy")}`, attributedTo: actor },
      published: "2026-01-02T03:04:05Z",
      to: ["https://www.w3.org/ns/activitystreams#Public"],
    };
    const proved = createProof(unsigned, {
      privateKey: ed.privateKey,
      verificationMethod: `${actor}#ed25519-key`,
      created: unsigned.published,
      proofPurpose: "assertionMethod",
    });
    const { "@context": _dropped, ...legacyProof } = proved.proof;
    const privateKeyPem = (await readActorPrivateKey(t.config.keysDir, "alice"))!;
    const signed = signActivity({ ...unsigned, proof: legacyProof }, { privateKeyPem, keyId: `${actor}#main-key`, created: unsigned.published });
    const body = JSON.stringify(signed);
    await t.ctx.prisma.$transaction((tx) =>
      storeActivity(tx, { activityId: "0f0e0d0c-0b0a-4909-8807-060504030201", type: "Create", actor: "alice", body, published: new Date(unsigned.published) }),
    );
    const stored = (await getActivity(t.ctx, "0f0e0d0c-0b0a-4909-8807-060504030201"))!;
    expect(stored.body).toBe(body);
    expect(await checkActivitySignature(t.ctx, stored)).toEqual({ verified: true, creator: `${actor}#main-key` });
    expect(await checkActivityProof(t.ctx, stored)).toEqual({ verified: true, verificationMethod: `${actor}#ed25519-key`, form: "document_context" });
    // A tampered copy of it does not verify.
    const tampered = { ...stored, json: { ...stored.json, published: "2026-01-02T03:04:06Z" } };
    expect(await checkActivityProof(t.ctx, tampered)).toEqual({ verified: false, reason: "bad signature" });
    await t.ctx.prisma.activity.delete({ where: { id: "0f0e0d0c-0b0a-4909-8807-060504030201" } });
  });

  it("refuses a second claim on a hash with 409 naming the owner, and writes nothing", async () => {
    const before = await t.ctx.prisma.activity.count();
    const err = await rejectsWithAppError(registerAsset(t.ctx, "bob", input({ name: "not-a-cat" })));
    expect(err.status).toBe(409);
    expect(err.code).toBe("content_already_claimed");
    expect(err.message).toContain("alice");
    expect(await getAsset(t.ctx, "not-a-cat")).toBeNull();
    expect(await t.ctx.prisma.activity.count()).toBe(before);
  });

  it("refuses a taken name with 409", async () => {
    const err = await rejectsWithAppError(registerAsset(t.ctx, "bob", input({ content_hash: hash("other") })));
    expect(err).toMatchObject({ status: 409, code: "name_taken" });
    expect(await t.ctx.prisma.asset.count({ where: { contentHash: hash("other") } })).toBe(0);
  });

  it("refuses metadata the scheme cannot sign exactly (400) and writes nothing", async () => {
    const before = await t.ctx.prisma.activity.count();
    const err = await rejectsWithAppError(registerAsset(t.ctx, "bob", input({ name: "big", content_hash: hash("big"), metadata: { n: 2 ** 60 } })));
    expect(err).toMatchObject({ status: 400, code: "invalid_request" });
    expect(err.message).toContain("metadata.n");
    expect(await getAsset(t.ctx, "big")).toBeNull();
    expect(await t.ctx.prisma.activity.count()).toBe(before);
  });

  it("lets exactly one of 6 concurrent claims on one hash win, with gapless publication indexes", async () => {
    const h = hash("contested");
    const results = await Promise.allSettled(
      ["alice", "bob", "alice", "bob", "alice", "bob"].map((owner, i) => registerAsset(t.ctx, owner, input({ name: `contested-${i}`, content_hash: h }))),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost.map((l) => (l.reason as AppError).status)).toEqual([409, 409, 409, 409, 409]);
    expect(await t.ctx.prisma.asset.count({ where: { contentHash: h } })).toBe(1);
    const indexes = (await t.ctx.prisma.activity.findMany({ select: { index: true }, orderBy: { index: "asc" } })).map((a) => a.index);
    expect(indexes).toEqual(indexes.map((_, i) => i + 1));
  });

  it("keeps hostile text as data: it is stored and signed as given", async () => {
    const hostile = "<script>alert(1)</script>";
    const { asset } = await registerAsset(
      t.ctx,
      "bob",
      input({ name: "hostile", content_hash: hash("hostile"), tags: [hostile, "<img src=x onerror=alert(1)>"], metadata: { note: hostile } }),
    );
    expect(asset.tags).toEqual([hostile, "<img src=x onerror=alert(1)>"]);
    expect(asset.metadata).toEqual({ note: hostile });
  });

  it("lists assets newest first with keyset cursors and filters", async () => {
    for (let i = 0; i < 5; i++) {
      await registerAsset(t.ctx, "bob", input({ name: `page-${i}`, content_hash: hash(`page-${i}`), asset_type: i % 2 ? "video" : "audio", tags: ["paged"] }));
    }
    const q = (o: Record<string, string>) => listAssetsQuery.parse(o);
    const first = await listAssets(t.ctx, q({ tag: "paged", limit: "2" }));
    expect(first.items.map((a) => a.name)).toEqual(["page-4", "page-3"]);
    const second = await listAssets(t.ctx, q({ tag: "paged", limit: "2", cursor: first.next_cursor! }));
    expect(second.items.map((a) => a.name)).toEqual(["page-2", "page-1"]);
    const third = await listAssets(t.ctx, q({ tag: "paged", limit: "2", cursor: second.next_cursor! }));
    expect(third.items.map((a) => a.name)).toEqual(["page-0"]);
    expect(third.next_cursor).toBeNull();

    expect((await listAssets(t.ctx, q({ type: "video", tag: "paged" }))).items.map((a) => a.name)).toEqual(["page-3", "page-1"]);
    expect((await listAssets(t.ctx, q({ owner: "alice" }))).items.every((a) => a.owner === "alice")).toBe(true);
    expect((await listAssets(t.ctx, q({ q: "PAGE-3" }))).items.map((a) => a.name)).toEqual(["page-3"]);
    expect((await listAssets(t.ctx, q({ q: hash("cat") }))).items.map((a) => a.name)).toEqual(["cat"]);
    expect((await listAssets(t.ctx, q({ q: "nothing-matches" }))).items).toEqual([]);
  });

  it("lists activities newest first with keyset cursors", async () => {
    const total = await t.ctx.prisma.activity.count();
    const page = await listActivities(t.ctx, { limit: 3 });
    expect(page.items.map((a) => a.index)).toEqual([total, total - 1, total - 2]);
    const next = await listActivities(t.ctx, { limit: 3, cursor: page.next_cursor! });
    expect(next.items[0].index).toBe(total - 3);
    expect(page.items[0]).toMatchObject({ type: "Create", actor: "bob", object_name: "page-4" });
  });

  it("answers null for unknown references", async () => {
    expect(await getActivity(t.ctx, "999999")).toBeNull();
    expect(await getActivity(t.ctx, "00000000-0000-0000-0000-000000000000")).toBeNull();
    expect(await getActivity(t.ctx, "../etc")).toBeNull();
    expect(await getClaimObject(t.ctx, "not-a-hash")).toBeNull();
  });
});
