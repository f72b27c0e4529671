import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { registerUser } from "@/lib/accounts";
import { didKeyFromEd25519, encodeMultibaseBase58btc } from "@/lib/crypto";
import { type SignedRequest, signMooAuth } from "@/lib/http-signatures";
import { registerAssetInput } from "@/lib/registry";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import {
  addClientKey,
  addClientKeyInput,
  assetFieldsFromCreate,
  authenticateMooAuth,
  cleanupMooAuthSeen,
  findClientKeyOwner,
  listClientKeys,
  parseAddClientKeyBody,
  removeClientKey,
} from ".";

function newKey(): { privateKey: KeyObject; did: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { privateKey, did: didKeyFromEd25519(privateKey) };
}

const HOST = "l2.test";
const enc = new TextEncoder();

/** A request signed for l2.test, as the server would receive it. */
function signed(method: "GET" | "POST", path: string, key: { privateKey: KeyObject }, now: Date, body?: string, host = HOST): SignedRequest {
  const bytes = body === undefined ? undefined : enc.encode(body);
  const headers = signMooAuth({ method, url: `https://${host}${path}`, body: bytes, privateKey: key.privateKey, now });
  return { method, url: `https://${HOST}${path}`, headers: new Headers({ ...headers, host }), body: bytes };
}

function zodMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ZodError) return err.issues.map((i) => i.message).join("; ");
    throw err;
  }
  throw new Error("expected a ZodError");
}

describe("addClientKeyInput", () => {
  it("accepts an Ed25519 did:key and trims the label; an empty label is none", () => {
    const { did } = newKey();
    expect(addClientKeyInput.parse({ did_key: ` ${did} `, label: "  laptop  " })).toEqual({ did_key: did, label: "laptop" });
    expect(addClientKeyInput.parse({ did_key: did, label: "   " })).toEqual({ did_key: did, label: null });
    expect(addClientKeyInput.parse({ did_key: did })).toEqual({ did_key: did, label: null });
  });

  it.each([
    ["not a did:key", "z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5", /not a did:key/],
    ["not base58btc z multibase", "did:key:u6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5", /base58btc.*'z'/],
    ["bad base58", "did:key:z6Mk0OIlekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCq", /base58btc alphabet/],
    ["X25519 (z6LS…)", `did:key:${encodeMultibaseBase58btc(Uint8Array.from([0xec, 0x01, ...new Uint8Array(32).fill(3)]))}`, /not an Ed25519 key/],
    ["wrong length", `did:key:${encodeMultibaseBase58btc(Uint8Array.from([0xed, 0x01, ...new Uint8Array(31).fill(3)]))}`, /32-byte/],
    ["missing", undefined, /required/],
  ])("refuses a did_key that is %s, naming the defect", (_, did_key, message) => {
    expect(zodMessage(() => addClientKeyInput.parse({ did_key }))).toMatch(message);
  });

  it("refuses a label over 100 characters and a label that is not a string", () => {
    const { did } = newKey();
    expect(zodMessage(() => addClientKeyInput.parse({ did_key: did, label: "x".repeat(101) }))).toMatch(/at most 100/);
    expect(addClientKeyInput.parse({ did_key: did, label: "x".repeat(100) }).label).toHaveLength(100);
    expect(zodMessage(() => addClientKeyInput.parse({ did_key: did, label: 5 }))).toMatch(/label must be a string/);
  });

  it("reads a form body as well as JSON", () => {
    const { did } = newKey();
    const form = enc.encode(new URLSearchParams({ did_key: did, label: "cli" }).toString());
    expect(parseAddClientKeyBody(form, "application/x-www-form-urlencoded; charset=utf-8")).toEqual({ did_key: did, label: "cli" });
    expect(parseAddClientKeyBody(enc.encode(JSON.stringify({ did_key: did })), "application/json")).toEqual({ did_key: did, label: null });
  });
});

describe("assetFieldsFromCreate", () => {
  const ctx = { config: { baseUrl: "https://l2.test" } } as Parameters<typeof assetFieldsFromCreate>[0];
  const hash = "ab".repeat(32);

  it("maps a Create with {algorithm, value}, Hashtags, a Link url and the AS2 type", () => {
    const fields = assetFieldsFromCreate(ctx, "alice", {
      type: "Create",
      actor: "https://l2.test/users/alice",
      object: {
        type: "Video",
        name: "clip",
        contentHash: { algorithm: "sha3-256", value: hash },
        tag: [{ type: "Hashtag", name: "#cats" }, "dogs"],
        url: { type: "Link", href: "https://example.com/clip.mp4" },
        metadata: { fps: 24 },
      },
    });
    expect(registerAssetInput.parse(fields)).toEqual({
      name: "clip",
      content_hash: hash,
      asset_type: "video",
      tags: ["cats", "dogs"],
      metadata: { fps: 24 },
      url: "https://example.com/clip.mp4",
    });
  });

  it("takes a bare hex contentHash, an explicit assetType, and unknown for other object types", () => {
    expect(assetFieldsFromCreate(ctx, "alice", { type: "Create", object: { type: "Note", name: "n", contentHash: hash } })).toEqual({
      name: "n",
      content_hash: hash,
      asset_type: "unknown",
    });
    expect(
      assetFieldsFromCreate(ctx, "alice", { type: "Create", object: { type: "Image", name: "n", contentHash: hash, assetType: "effect" } }).asset_type,
    ).toBe("effect");
  });

  it("refuses other activity types with unsupported_activity", () => {
    for (const type of ["Like", "Delete", "Follow", undefined]) {
      const err = (() => {
        try {
          assetFieldsFromCreate(ctx, "alice", { type, object: { contentHash: hash } });
        } catch (e) {
          return e as { code: string; status: number; message: string };
        }
        throw new Error("expected an error");
      })();
      expect(err).toMatchObject({ code: "unsupported_activity", status: 400 });
    }
  });

  it("refuses a Create without contentHash, another actor, another algorithm", () => {
    expect(() => assetFieldsFromCreate(ctx, "alice", { type: "Create", object: { type: "Note", content: "hi" } })).toThrow(/contentHash/);
    expect(() => assetFieldsFromCreate(ctx, "alice", { type: "Create", actor: "https://l2.test/users/bob", object: { contentHash: hash } })).toThrow(/actor/);
    expect(() => assetFieldsFromCreate(ctx, "alice", { type: "Create", object: { contentHash: { algorithm: "sha-256", value: hash } } })).toThrow(/sha3-256/);
  });
});

describe.each(databaseKinds)("client keys on %s", (kind) => {
  let t: TestContext;
  const now = new Date("2026-03-01T12:00:00Z");
  beforeAll(async () => {
    t = await createTestContext(kind);
    t.setNow(now);
    for (const u of ["alice", "bob"]) await registerUser(t.ctx, { username: u, password: "password " + u }, { client: null });
  });
  afterAll(() => t.close());

  it("adds, lists newest first, finds the owner and removes", async () => {
    const a = newKey();
    const b = newKey();
    const added = await addClientKey(t.ctx, "alice", { did_key: a.did, label: "laptop" });
    expect(added).toEqual({ did_key: a.did, label: "laptop", created_at: now.toISOString(), last_used_at: null, actor: "https://l2.test/users/alice" });
    await addClientKey(t.ctx, "alice", { did_key: b.did, label: null });
    const list = await listClientKeys(t.ctx, "alice");
    expect(list.items.map((k) => k.did_key)).toEqual([b.did, a.did]);
    expect(list.next_cursor).toBeNull();
    const paged = await listClientKeys(t.ctx, "alice", { limit: 1 });
    expect(paged.items.map((k) => k.did_key)).toEqual([b.did]);
    expect((await listClientKeys(t.ctx, "alice", { limit: 1, cursor: paged.next_cursor ?? undefined })).items.map((k) => k.did_key)).toEqual([a.did]);
    expect((await listClientKeys(t.ctx, "bob")).items).toEqual([]);
    expect(await findClientKeyOwner(t.ctx, a.did)).toBe("alice");

    await removeClientKey(t.ctx, "alice", a.did);
    expect(await findClientKeyOwner(t.ctx, a.did)).toBeNull();
    expect((await listClientKeys(t.ctx, "alice")).items.map((k) => k.did_key)).toEqual([b.did]);
  });

  it("refuses a key already registered: 409 for your own and for another actor's, saying which", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    const own = await rejectsWithAppError(addClientKey(t.ctx, "alice", { did_key: k.did, label: "again" }));
    expect(own).toMatchObject({ status: 409, code: "conflict", message: expect.stringMatching(/already registered for your actor/) });
    const other = await rejectsWithAppError(addClientKey(t.ctx, "bob", { did_key: k.did, label: null }));
    expect(other).toMatchObject({ status: 409, code: "conflict", message: expect.stringMatching(/another actor/) });
    expect(other.message).not.toMatch(/alice/);
    expect(await t.ctx.prisma.clientKey.count({ where: { didKey: k.did } })).toBe(1);
    expect(await findClientKeyOwner(t.ctx, k.did)).toBe("alice");
  });

  it("answers 404 when removing another user's key or an unknown one, and keeps it", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    expect(await rejectsWithAppError(removeClientKey(t.ctx, "bob", k.did))).toMatchObject({ status: 404, code: "not_found" });
    expect(await rejectsWithAppError(removeClientKey(t.ctx, "alice", newKey().did))).toMatchObject({ status: 404 });
    expect(await findClientKeyOwner(t.ctx, k.did)).toBe("alice");
  });

  it("authenticates a signed GET as the key's actor and records its last use", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    const later = new Date(now.getTime() + 1000);
    t.setNow(later);
    try {
      expect(await authenticateMooAuth(t.ctx, signed("GET", "/auth/me", k, later))).toEqual({ username: "alice", didKey: k.did });
      const row = await t.ctx.prisma.clientKey.findUniqueOrThrow({ where: { didKey: k.did } });
      expect(row.lastUsedAt?.toISOString()).toBe(later.toISOString());
    } finally {
      t.setNow(now);
    }
  });

  it("authenticates a signed POST with its body", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "bob", { did_key: k.did, label: null });
    const req = signed("POST", "/users/bob/outbox", k, now, JSON.stringify({ type: "Create" }));
    expect(await authenticateMooAuth(t.ctx, req)).toEqual({ username: "bob", didKey: k.did });
  });

  it("refuses a valid signature by an unregistered key, and records nothing", async () => {
    const k = newKey();
    const before = await t.ctx.prisma.mooAuthSeen.count();
    const err = await rejectsWithAppError(authenticateMooAuth(t.ctx, signed("GET", "/auth/me", k, now)));
    expect(err).toMatchObject({ status: 401, code: "unauthorized", message: expect.stringMatching(/not a registered client key/) });
    expect(await t.ctx.prisma.mooAuthSeen.count()).toBe(before);
  });

  it("refuses a replay of a captured request: the first passes, the identical second is 401", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    const req = signed("GET", "/users/alice/inbox", k, now);
    expect(await authenticateMooAuth(t.ctx, req)).toEqual({ username: "alice", didKey: k.did });
    const err = await rejectsWithAppError(authenticateMooAuth(t.ctx, { ...req, headers: new Headers(req.headers) }));
    expect(err).toMatchObject({ status: 401, message: expect.stringMatching(/replay/) });
  });

  it("takes GETs that differ only in their (unsigned) query for different requests, but not POSTs", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    const collection = signed("GET", "/users/alice/outbox", k, now);
    const page = { ...collection, url: "https://l2.test/users/alice/outbox?page=true", headers: new Headers(collection.headers) };
    expect(await authenticateMooAuth(t.ctx, collection)).toMatchObject({ username: "alice" });
    expect(await authenticateMooAuth(t.ctx, page)).toMatchObject({ username: "alice" });
    expect(await rejectsWithAppError(authenticateMooAuth(t.ctx, { ...page, headers: new Headers(page.headers) }))).toMatchObject({ status: 401 });
    const post = signed("POST", "/users/alice/outbox", k, now, "{}");
    expect(await authenticateMooAuth(t.ctx, post)).toMatchObject({ username: "alice" });
    const again = { ...post, url: `${post.url}?x=1`, headers: new Headers(post.headers) };
    expect(await rejectsWithAppError(authenticateMooAuth(t.ctx, again))).toMatchObject({ status: 401, message: expect.stringMatching(/replay/) });
  });

  it("stops a removed key at once", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    expect((await authenticateMooAuth(t.ctx, signed("GET", "/auth/me", k, now))).username).toBe("alice");
    await removeClientKey(t.ctx, "alice", k.did);
    const err = await rejectsWithAppError(authenticateMooAuth(t.ctx, signed("GET", "/auth/client-keys", k, now)));
    expect(err).toMatchObject({ status: 401, message: expect.stringMatching(/not a registered client key/) });
  });

  it("refuses a Host of another server and a Date out of the window with 401 naming the failure", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    const host = await rejectsWithAppError(authenticateMooAuth(t.ctx, signed("GET", "/auth/me", k, now, undefined, "evil.test")));
    expect(host).toMatchObject({ status: 401, message: expect.stringMatching(/Host header names evil\.test/) });
    const old = await rejectsWithAppError(authenticateMooAuth(t.ctx, signed("GET", "/auth/me", k, new Date(now.getTime() - 360_000))));
    expect(old).toMatchObject({ status: 401, message: expect.stringMatching(/360 s old/) });
  });

  it("refuses a tampered body with 401 (digest) and garbage headers without throwing anything else", async () => {
    const k = newKey();
    await addClientKey(t.ctx, "alice", { did_key: k.did, label: null });
    const req = signed("POST", "/users/alice/outbox", k, now, '{"a":1}');
    const tampered = await rejectsWithAppError(authenticateMooAuth(t.ctx, { ...req, body: enc.encode('{"a":2}') }));
    expect(tampered).toMatchObject({ status: 401, message: expect.stringMatching(/Digest/) });
    const garbage: Record<string, string>[] = [
      { authorization: "Moo-Auth-1" },
      { authorization: `Moo-Auth-1 ${k.did}`, "x-moo-signature": "z!!!", host: HOST, date: now.toUTCString() },
      { authorization: "Moo-Auth-1 did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", "x-moo-signature": "z1", host: HOST },
    ];
    for (const headers of garbage) {
      const err = await rejectsWithAppError(authenticateMooAuth(t.ctx, { method: "GET", url: "https://l2.test/auth/me", headers: new Headers(headers) }));
      expect(err).toMatchObject({ status: 401, code: "unauthorized" });
    }
  });

  it("forgets accepted signatures older than the window", async () => {
    await t.ctx.prisma.mooAuthSeen.create({ data: { key: "f".repeat(64), seenAt: new Date(now.getTime() - 11 * 60_000) } });
    await t.ctx.prisma.mooAuthSeen.create({ data: { key: "e".repeat(64), seenAt: new Date(now.getTime() - 9 * 60_000) } });
    expect(await cleanupMooAuthSeen(t.ctx)).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.prisma.mooAuthSeen.findUnique({ where: { key: "f".repeat(64) } })).toBeNull();
    expect(await t.ctx.prisma.mooAuthSeen.findUnique({ where: { key: "e".repeat(64) } })).not.toBeNull();
  });
});
