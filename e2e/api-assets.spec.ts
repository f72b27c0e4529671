// The asset registry over HTTP (product.md §3, §9): POST /assets and what it publishes (the asset,
// its signed Create, the object), then tables of hostile input — each with its exact status and
// {error, message} body and proof that nothing was written — conflicts and races on names and
// hashes, and the keyset-paged lists of assets and activities.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, expectError, json, type ErrorBody } from "./support/api";
import {
  acceptJson,
  ASSET_FIELDS,
  createAsset,
  expectNoAsset,
  expectSignedClaim,
  expectUnclaimed,
  getJson,
  ISO_TIME,
  latestActivityIndex,
  newUser,
  postAsset,
  PROTOCOL_TIME,
  randomHash,
  uniqueName,
  UUID,
  walk,
  type Activity,
  type ActivitySummary,
  type AssetView,
  type Page,
  type User,
} from "./support/registry";
import { MAIN } from "./support/servers";

const ASSET_TYPES = "image, video, audio, effect, recipe, infrastructure, unknown";
const XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"];

/** A body sent byte for byte (a string `data` would be JSON-encoded). */
function raw(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

let alice: User;
test.beforeAll(async ({ request }) => {
  alice = await newUser(request, "alice");
});

test.describe("POST /assets registers an asset and publishes one signed Create", () => {
  test("201 {asset, activity}; the activity, the object and the asset are served back exactly", async ({ request }) => {
    const before = await latestActivityIndex(request);
    const name = uniqueName("sunset");
    const hash = randomHash();
    const body = {
      name,
      content_hash: hash,
      asset_type: "image",
      tags: ["landscape", "evening"],
      metadata: { camera: "X100V", exposure: { iso: 200, seconds: 0.5 }, lens: null, raw: true },
      url: "https://example.com/sunset.jpg",
      ipfs_cid: "bafkreisunsetsunsetsunset",
    };
    const startedAt = Date.now();
    const res = await postAsset(request, alice.token, body);
    expect(res.status(), await res.text()).toBe(201);
    expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
    const created = (await res.json()) as { asset: AssetView; activity: Activity };
    expect(Object.keys(created).sort()).toEqual(["activity", "asset"]);

    const { asset, activity } = created;
    expect(Object.keys(asset).sort()).toEqual(ASSET_FIELDS);
    expect(asset).toEqual({
      name,
      content_hash: hash,
      asset_type: "image",
      tags: ["landscape", "evening"],
      metadata: body.metadata,
      url: body.url,
      ipfs_cid: body.ipfs_cid,
      owner: alice.username,
      provenance: null,
      created_at: expect.stringMatching(ISO_TIME),
      activity_id: expect.stringMatching(UUID),
      activity_index: before + 1,
    });
    expect(Math.abs(Date.parse(asset.created_at) - startedAt)).toBeLessThan(60_000);

    // The claim: a Create of an Image, signed by the owner's key (checked by the test's own verifier).
    expectSignedClaim(activity, asset);
    expect(activity.object).toMatchObject({ type: "Image", url: body.url, ipfsCid: body.ipfs_cid });
    expect(activity.signature.created).toBe(activity.published);
    expect(activity.published).toMatch(PROTOCOL_TIME);

    // By index and by id: the very same stored bytes, and the activity the POST answered.
    const byIndex = await request.get(`/activities/${asset.activity_index}`, { headers: acceptJson });
    const byId = await request.get(`/activities/${asset.activity_id}`, { headers: acceptJson });
    for (const r of [byIndex, byId]) {
      expect(r.status()).toBe(200);
      expect(r.headers()["content-type"]).toMatch(/^application\/activity\+json\b/);
    }
    const text = await byIndex.text();
    expect(await byId.text()).toBe(text);
    expect(JSON.parse(text)).toEqual(activity);
    expect(await latestActivityIndex(request)).toBe(before + 1);

    // The object: the claim's object with the activity's @context, as application/activity+json.
    for (const h of [hash, hash.toUpperCase()]) {
      const object = await request.get(`/objects/${h}`);
      expect(object.status()).toBe(200);
      expect(object.headers()["content-type"]).toMatch(/^application\/activity\+json\b/);
      expect(await object.json()).toEqual({ "@context": activity["@context"], ...activity.object });
    }

    // The asset, under /assets/{name} and (as JSON) under the page's URL /asset/{name}.
    expect(await getJson(request, `/assets/${name}`)).toEqual(asset);
    expect(await getJson(request, `/asset/${name}`)).toEqual(asset);

    // Listed first, newest first, in both lists.
    expect((await getJson<Page<AssetView>>(request, "/assets?limit=1")).items).toEqual([asset]);
    const summary = (await getJson<Page<ActivitySummary>>(request, "/activities?limit=1")).items[0];
    expect(summary).toEqual({
      index: asset.activity_index,
      activity_id: asset.activity_id,
      id: activity.id,
      type: "Create",
      actor: alice.username,
      published: activity.published,
      object_name: name,
      object_id: `${MAIN.url}/objects/${hash}`,
    });
  });

  test("the smallest body: tags [], metadata {}, url and ipfs_cid null; unknown fields ignored, duplicate tags once", async ({ request }) => {
    const minimal = await createAsset(request, alice, { asset_type: "recipe" });
    expect(minimal.asset).toMatchObject({ asset_type: "recipe", tags: [], metadata: {}, url: null, ipfs_cid: null, provenance: null });
    expect(minimal.activity.object.type).toBe("Document");
    expect(minimal.activity.object).not.toHaveProperty("url");
    expectSignedClaim(minimal.activity, minimal.asset);

    const name = uniqueName("extra");
    const res = await postAsset(request, alice.token, {
      name,
      content_hash: randomHash(),
      asset_type: "effect",
      tags: ["a", "b", "a"],
      owner: "someone_else",
      provenance: { forged: true },
      activity_index: 1,
    });
    expect(res.status(), await res.text()).toBe(201);
    const { asset, activity } = (await res.json()) as { asset: AssetView; activity: Activity };
    expect(asset).toMatchObject({ name, owner: alice.username, provenance: null, tags: ["a", "b"] });
    expect(activity.object.type).toBe("Application");
    expect(activity.object).not.toHaveProperty("provenance");
  });

  test("an upper-case content hash is accepted and stored lower case; the lower-case form is then taken", async ({ request }) => {
    const hash = randomHash();
    const { asset, activity } = await createAsset(request, alice, { content_hash: hash.toUpperCase() });
    expect(asset.content_hash).toBe(hash);
    expect(activity.object.contentHash).toEqual({ algorithm: "sha3-256", value: hash });
    expect((await getJson<AssetView>(request, `/assets/${asset.name}`)).content_hash).toBe(hash);
    const again = await expectError(
      await postAsset(request, alice.token, { name: uniqueName("lower"), content_hash: hash, asset_type: "image" }),
      409,
      "content_already_claimed",
    );
    expect(again.message).toContain(alice.username);
  });

  test("the limits themselves are accepted: a 128-character name, 32 tags, 64-character tags, 16 KiB of metadata", async ({ request }) => {
    const name = uniqueName("long").padEnd(128, "x");
    const tags = Array.from({ length: 32 }, (_, i) => `${String(i).padStart(2, "0")}`.padEnd(64, "t"));
    const metadata = { k: "m".repeat(16 * 1024 - '{"k":""}'.length) };
    expect(Buffer.byteLength(JSON.stringify(metadata))).toBe(16 * 1024);
    const { asset, activity } = await createAsset(request, alice, { name, tags, metadata });
    expect(asset).toMatchObject({ name, tags, metadata });
    expectSignedClaim(activity, asset);
  });

  test("markup in tags and metadata is stored and returned verbatim in JSON", async ({ request }) => {
    const metadata = {
      title: XSS[0],
      [XSS[1]]: XSS[1],
      nested: { list: [...XSS, "é — ✓ 😀"] },
    };
    const { asset, activity } = await createAsset(request, alice, { tags: [...XSS, "ok"], metadata });
    expect(asset.tags).toEqual([...XSS, "ok"]);
    expect(asset.metadata).toEqual(metadata);
    expectSignedClaim(activity, asset);

    const served = await request.get(`/assets/${asset.name}`, { headers: acceptJson });
    expect(served.headers()["content-type"]).toMatch(/^application\/json\b/);
    expect(await served.json()).toEqual(asset);
    const text = await (await request.get(`/activities/${asset.activity_index}`)).text();
    expect(JSON.parse(text).object.metadata).toEqual(metadata);
    expect(JSON.parse(text).object.tags).toEqual([...XSS, "ok"]);
    const object = await (await request.get(`/objects/${asset.content_hash}`)).json();
    expect(object.metadata).toEqual(metadata);
    // The tag filter finds the tag exactly as written.
    const byTag = await getJson<Page<AssetView>>(request, `/assets?tag=${encodeURIComponent(XSS[1])}&owner=${alice.username}`);
    expect(byTag.items.map((a) => a.name)).toEqual([asset.name]);
  });

  test("without a valid token → 401 unauthorized and nothing is written", async ({ request }) => {
    const before = await latestActivityIndex(request);
    const name = uniqueName("anon");
    const hash = randomHash();
    const body = { name, content_hash: hash, asset_type: "image" };
    for (const headers of [{}, bearer("not-a-token"), { authorization: "Basic YWxpY2U6cHc=" }]) {
      const res = await request.post("/assets", { headers: { ...json, ...acceptJson, ...headers }, data: body });
      await expectError(res, 401, "unauthorized");
    }
    await expectNoAsset(request, name);
    await expectUnclaimed(request, hash);
    expect(await latestActivityIndex(request)).toBe(before);
  });
});

test.describe("POST /assets refuses hostile input with 400/413 and writes nothing", () => {
  type Body = Record<string, unknown>;
  const cases: { title: string; change: (b: Body) => Body; field: string; message: string }[] = [
    {
      title: "a 63-character hash",
      change: (b) => ({ ...b, content_hash: randomHash().slice(1) }),
      field: "content_hash",
      message: "content_hash must be 64 hex characters",
    },
    {
      title: "a 65-character hash",
      change: (b) => ({ ...b, content_hash: `${randomHash()}a` }),
      field: "content_hash",
      message: "content_hash must be 64 hex characters",
    },
    {
      title: "a non-hex hash",
      change: (b) => ({ ...b, content_hash: `${randomHash().slice(1)}g` }),
      field: "content_hash",
      message: "content_hash must be 64 hex characters",
    },
    {
      title: "a hash with a 0x prefix",
      change: (b) => ({ ...b, content_hash: `0x${randomHash().slice(2)}` }),
      field: "content_hash",
      message: "content_hash must be 64 hex characters",
    },
    {
      title: "a name with a space",
      change: (b) => ({ ...b, name: `${b.name} x` }),
      field: "name",
      message: "name may contain only letters, digits and . _ : -",
    },
    {
      title: "a name with a slash",
      change: (b) => ({ ...b, name: `../${b.name}` }),
      field: "name",
      message: "name may contain only letters, digits and . _ : -",
    },
    { title: "a name with markup", change: (b) => ({ ...b, name: XSS[0] }), field: "name", message: "name may contain only letters, digits and . _ : -" },
    {
      title: "a name of 129 characters",
      change: (b) => ({ ...b, name: String(b.name).padEnd(129, "x") }),
      field: "name",
      message: "name must be at most 128 characters",
    },
    { title: "an empty name", change: (b) => ({ ...b, name: "" }), field: "name", message: "name is required" },
    {
      title: "an unknown asset_type",
      change: (b) => ({ ...b, asset_type: "painting" }),
      field: "asset_type",
      message: `asset_type must be one of ${ASSET_TYPES}`,
    },
    {
      title: "an upper-case asset_type",
      change: (b) => ({ ...b, asset_type: "Image" }),
      field: "asset_type",
      message: `asset_type must be one of ${ASSET_TYPES}`,
    },
    { title: "33 tags", change: (b) => ({ ...b, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }), field: "tags", message: "at most 32 tags" },
    { title: "a 65-character tag", change: (b) => ({ ...b, tags: ["ok", "t".repeat(65)] }), field: "tags.1", message: "a tag must be at most 64 characters" },
    { title: "an empty tag", change: (b) => ({ ...b, tags: [""] }), field: "tags.0", message: "a tag must not be empty" },
    {
      title: "metadata over 16 KiB",
      change: (b) => ({ ...b, metadata: { k: "m".repeat(16 * 1024 - '{"k":""}'.length + 1) } }),
      field: "metadata",
      message: "metadata must be at most 16 KiB as JSON",
    },
    { title: "metadata that is an array", change: (b) => ({ ...b, metadata: [1, 2] }), field: "metadata", message: "metadata must be a JSON object" },
    { title: "metadata that is a string", change: (b) => ({ ...b, metadata: "{}" }), field: "metadata", message: "metadata must be a JSON object" },
    { title: "a name that is a number", change: (b) => ({ ...b, name: 42 }), field: "name", message: "name must be a string" },
    { title: "a hash that is a number", change: (b) => ({ ...b, content_hash: 1234 }), field: "content_hash", message: "content_hash must be a string" },
    { title: "tags that are a string", change: (b) => ({ ...b, tags: "landscape" }), field: "tags", message: "tags must be an array of strings" },
    { title: "a tag that is a number", change: (b) => ({ ...b, tags: [1] }), field: "tags.0", message: "each tag must be a string" },
    { title: "a url that is not http(s)", change: (b) => ({ ...b, url: "javascript:alert(1)" }), field: "url", message: "url must be an http(s) URL" },
    { title: "an ipfs_cid with markup", change: (b) => ({ ...b, ipfs_cid: XSS[1] }), field: "ipfs_cid", message: "ipfs_cid must be a CID" },
    { title: "no asset_type", change: ({ asset_type: _, ...b }) => b, field: "asset_type", message: "asset_type must be one of" },
    { title: "no content_hash", change: ({ content_hash: _, ...b }) => b, field: "content_hash", message: "content_hash must be a string" },
  ];

  for (const c of cases) {
    test(`${c.title} → 400 invalid_request`, async ({ request }) => {
      const before = await latestActivityIndex(request);
      const valid = { name: uniqueName("bad"), content_hash: randomHash(), asset_type: "image" };
      const body = c.change(valid);
      const error = await expectError(await postAsset(request, alice.token, body), 400, "invalid_request");
      expect(error.message).toContain(c.message);
      expect(error.fields?.[c.field], JSON.stringify(error.fields)).toContain(c.message);
      await expectNothingWritten(request, before, valid, body);
    });
  }

  for (const [title, value] of [
    ["an integer beyond 2^53", "9007199254740993"],
    ["an integer below -2^53", "-9007199254740993"],
    ["1e16 (an integer beyond 2^53 in exponent form)", "1e16"],
  ] as const) {
    test(`metadata with ${title} → 400 invalid_request (it cannot be signed exactly)`, async ({ request }) => {
      const before = await latestActivityIndex(request);
      const valid = { name: uniqueName("bigint"), content_hash: randomHash(), asset_type: "image" };
      const text = `{"name":"${valid.name}","content_hash":"${valid.content_hash}","asset_type":"image","metadata":{"ok":1,"deep":{"n":${value}}}}`;
      const error = await expectError(await postAsset(request, alice.token, raw(text)), 400, "invalid_request");
      expect(error.message).toMatch(/^metadata\.deep\.n: .* is beyond the safe integer range/);
      expect(error.fields).toHaveProperty("metadata");
      await expectNothingWritten(request, before, valid, valid);
    });
  }

  test("metadata with a number too large for a double (1e400) → 400 invalid_request", async ({ request }) => {
    const before = await latestActivityIndex(request);
    const valid = { name: uniqueName("inf"), content_hash: randomHash(), asset_type: "image" };
    const text = `{"name":"${valid.name}","content_hash":"${valid.content_hash}","asset_type":"image","metadata":{"n":1e400}}`;
    const error = await expectError(await postAsset(request, alice.token, raw(text)), 400, "invalid_request");
    expect(error.message).toContain("metadata.n");
    await expectNothingWritten(request, before, valid, valid);
  });

  for (const [title, text, code] of [
    ["malformed JSON", '{"name": "x", "content_hash": ', "malformed_json"],
    ["an empty body", "", "malformed_json"],
    ["a JSON array", "[]", "invalid_request"],
    ["JSON null", "null", "invalid_request"],
    ["an empty object", "{}", "invalid_request"],
  ] as const) {
    test(`${title} → 400 ${code}`, async ({ request }) => {
      const before = await latestActivityIndex(request);
      await expectError(await postAsset(request, alice.token, raw(text)), 400, code);
      expect(await latestActivityIndex(request)).toBe(before);
    });
  }

  test("a 2 MiB body → 413 payload_too_large", async ({ request }) => {
    const before = await latestActivityIndex(request);
    const valid = { name: uniqueName("huge"), content_hash: randomHash(), asset_type: "image" };
    const data = raw(JSON.stringify({ ...valid, metadata: { pad: "x".repeat(2 * 1024 * 1024) } }));
    await expectError(await postAsset(request, alice.token, data), 413, "payload_too_large");
    await expectNothingWritten(request, before, valid, valid);
  });
});

/** Neither the name nor the hash was registered, and nothing was published. */
async function expectNothingWritten(request: APIRequestContext, before: number, valid: { name: string; content_hash: string }, sent: Record<string, unknown>) {
  await expectNoAsset(request, valid.name);
  if (typeof sent.name === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(sent.name)) await expectNoAsset(request, sent.name);
  await expectUnclaimed(request, valid.content_hash);
  if (typeof sent.content_hash === "string") await expectUnclaimed(request, sent.content_hash);
  expect(await latestActivityIndex(request)).toBe(before);
}

test.describe("the first claim wins: conflicts on names and hashes → 409", () => {
  test("a taken name → 409 name_taken; the first asset is untouched", async ({ request }) => {
    const first = await createAsset(request, alice);
    const bob = await newUser(request, "bob");
    const before = await latestActivityIndex(request);
    const hash = randomHash();
    const error = await expectError(
      await postAsset(request, bob.token, { name: first.asset.name, content_hash: hash, asset_type: "video" }),
      409,
      "name_taken",
    );
    expect(error.message).toBe(`The name '${first.asset.name}' is already taken.`);
    expect(await getJson(request, `/assets/${first.asset.name}`)).toEqual(first.asset);
    await expectUnclaimed(request, hash);
    expect(await latestActivityIndex(request)).toBe(before);
  });

  test("a claimed hash → 409 content_already_claimed naming the owner, for anyone (the owner too)", async ({ request }) => {
    const first = await createAsset(request, alice);
    const bob = await newUser(request, "bob");
    const before = await latestActivityIndex(request);
    for (const [user, name] of [
      [bob, uniqueName("copy")],
      [alice, uniqueName("again")],
      [bob, first.asset.name], // both taken: the hash is the one reported
    ] as const) {
      const error = await expectError(
        await postAsset(request, user.token, { name, content_hash: first.asset.content_hash.toUpperCase(), asset_type: "image" }),
        409,
        "content_already_claimed",
      );
      expect(error.message).toContain(`already owned by ${alice.username}`);
      expect(error.message).toContain(first.asset.name);
      if (name !== first.asset.name) await expectNoAsset(request, name);
    }
    expect(await getJson(request, `/assets/${first.asset.name}`)).toEqual(first.asset);
    expect(await latestActivityIndex(request)).toBe(before);
  });

  test("6 users claim one hash at the same moment → exactly one 201 and five 409; one asset, one activity", async ({ request }) => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(request, `race${i}`)));
    const before = await latestActivityIndex(request);
    const hash = randomHash();
    const names = users.map(() => uniqueName("race"));
    const responses = await Promise.all(users.map((u, i) => postAsset(request, u.token, { name: names[i], content_hash: hash, asset_type: "image" })));
    const statuses = responses.map((r) => r.status());
    expect(
      statuses.filter((s) => s === 201),
      `statuses: ${statuses}`,
    ).toHaveLength(1);
    expect(
      statuses.filter((s) => s === 409),
      `statuses: ${statuses}`,
    ).toHaveLength(5);
    const winner = statuses.indexOf(201);
    const won = (await responses[winner].json()) as { asset: AssetView; activity: Activity };
    expect(won.asset).toMatchObject({ name: names[winner], owner: users[winner].username, content_hash: hash });
    for (const [i, r] of responses.entries()) {
      if (i === winner) continue;
      const error: ErrorBody = await expectError(r, 409, "content_already_claimed");
      expect(error.message).toContain(users[winner].username);
      await expectNoAsset(request, names[i]);
    }
    const found = await getJson<Page<AssetView>>(request, `/assets?q=${hash}`);
    expect(found.items).toEqual([won.asset]);
    expect(await latestActivityIndex(request)).toBe(before + 1);
    expectSignedClaim(won.activity, won.asset);
  });

  test("4 users claim one name at the same moment → exactly one 201 and three 409 name_taken", async ({ request }) => {
    const users = await Promise.all(Array.from({ length: 4 }, (_, i) => newUser(request, `name${i}`)));
    const before = await latestActivityIndex(request);
    const name = uniqueName("contested");
    const hashes = users.map(() => randomHash());
    const responses = await Promise.all(users.map((u, i) => postAsset(request, u.token, { name, content_hash: hashes[i], asset_type: "audio" })));
    const statuses = responses.map((r) => r.status());
    expect(
      statuses.filter((s) => s === 201),
      `statuses: ${statuses}`,
    ).toHaveLength(1);
    const winner = statuses.indexOf(201);
    for (const [i, r] of responses.entries()) {
      if (i === winner) continue;
      await expectError(r, 409, "name_taken");
      await expectUnclaimed(request, hashes[i]);
    }
    expect((await getJson<AssetView>(request, `/assets/${name}`)).owner).toBe(users[winner].username);
    expect(await latestActivityIndex(request)).toBe(before + 1);
  });
});

test.describe("GET /assets: keyset paging, newest first, and filters", () => {
  test("limit + next_cursor walk every asset exactly once, newest first", async ({ request }) => {
    const owner = await newUser(request, "pager");
    const tag = uniqueName("page");
    const created: AssetView[] = [];
    for (let i = 0; i < 7; i++) created.push((await createAsset(request, owner, { tags: [tag] })).asset);
    const newestFirst = [...created].reverse();

    const byTag = await walk<AssetView>(request, `/assets?tag=${tag}`, 3);
    expect(byTag.pages).toBe(3);
    expect(byTag.items).toEqual(newestFirst);

    const byOwner = await walk<AssetView>(request, `/assets?owner=${owner.username}`, 1);
    expect(byOwner.pages).toBe(7);
    expect(byOwner.items.map((a) => a.name)).toEqual(newestFirst.map((a) => a.name));

    // A page of exactly the remaining items ends the walk.
    const exact = await walk<AssetView>(request, `/assets?tag=${tag}`, 7);
    expect(exact.items).toHaveLength(7);
    expect(exact.pages).toBe(1);

    // The whole registry: each asset once, in registration (= publication) order, newest first.
    const all = await walk<AssetView>(request, "/assets", 40);
    const names = all.items.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    const indexes = all.items.map((a) => a.activity_index);
    expect(indexes).toEqual([...indexes].sort((a, b) => b - a));
    for (const a of created) expect(names).toContain(a.name);
  });

  test("filters: q (name substring, any case; exact tag; hash), type, tag, owner, combined", async ({ request }) => {
    const p = uniqueName("flt");
    const u = await newUser(request, "filter");
    const v = await newUser(request, "filter");
    const t1 = `${p}-t1`;
    const t2 = `${p}-t2`;
    const a1 = (await createAsset(request, u, { name: `${p}-Sunset-photo`, asset_type: "image", tags: [t1, "landscape"] })).asset;
    const a2 = (await createAsset(request, u, { name: `${p}-drone`, asset_type: "video", tags: [t1] })).asset;
    const a3 = (await createAsset(request, u, { name: `${p}-noise`, asset_type: "effect", tags: [t2] })).asset;
    const b1 = (await createAsset(request, v, { name: `other-${p}`.replace(/-/g, "."), asset_type: "image", tags: [t1] })).asset;

    const names = async (query: string) => (await getJson<Page<AssetView>>(request, `/assets?${query}`)).items.map((a) => a.name);
    expect(await names(`q=${p.toUpperCase()}-SUNSET`)).toEqual([a1.name]);
    expect(await names(`q=${p}`)).toEqual([a3.name, a2.name, a1.name]);
    expect(await names(`q=${t2}`)).toEqual([a3.name]);
    expect(await names(`q=${a3.content_hash.toUpperCase()}`)).toEqual([a3.name]);
    expect(await names(`q=%20${p}-drone%20`)).toEqual([a2.name]);
    expect(await names(`tag=${t1}`)).toEqual([b1.name, a2.name, a1.name]);
    expect(await names(`type=image&tag=${t1}`)).toEqual([b1.name, a1.name]);
    expect(await names(`type=video&owner=${u.username}`)).toEqual([a2.name]);
    expect(await names(`owner=${u.username}`)).toEqual([a3.name, a2.name, a1.name]);
    expect(await names(`owner=${v.username}&tag=${t1}`)).toEqual([b1.name]);
    expect(await names(`owner=${v.username}&type=video`)).toEqual([]);
    expect(await names(`owner=nobody_at_all`)).toEqual([]);
    expect(await names(`tag=${t1.toUpperCase()}`)).toEqual([]);
    expect(await names(`tag=${t1}&limit=2`)).toEqual([b1.name, a2.name]);
    // Unknown parameters are ignored.
    expect(await names(`owner=${v.username}&sort=asc&admin=1`)).toEqual([b1.name]);

    const error = await expectError(await request.get("/assets?type=painting", { headers: acceptJson }), 400, "invalid_request");
    expect(error.message).toContain(`asset_type must be one of ${ASSET_TYPES}`);
  });

  test("q is a literal substring: % and _ are not wildcards", async ({ request }) => {
    const p = uniqueName("lit").replace(/-/g, "");
    const u = await newUser(request, "literal");
    const underscore = (await createAsset(request, u, { name: `${p}_x` })).asset;
    await createAsset(request, u, { name: `${p}-x` });
    await createAsset(request, u, { name: `${p}.x` });
    const names = async (q: string) => (await getJson<Page<AssetView>>(request, `/assets?limit=100&q=${encodeURIComponent(q)}`)).items.map((a) => a.name);
    expect(await names(`${p}_x`)).toEqual([underscore.name]);
    expect(await names("%")).toEqual([]);
    expect(await names(`${p}%x`)).toEqual([]);
    expect(await names("\\")).toEqual([]);
  });

  const badQueries: { query: string; message: string }[] = [
    { query: "limit=0", message: "limit must be at least 1" },
    { query: "limit=101", message: "limit must be at most 100" },
    { query: "limit=abc", message: "limit must be a number" },
    { query: "limit=2.5", message: "limit must be a whole number" },
    { query: "limit=-1", message: "limit must be at least 1" },
    { query: "cursor=abc", message: "cursor is not one this server gave out" },
    { query: "cursor=-5", message: "cursor is not one this server gave out" },
    { query: "cursor=1.5", message: "cursor is not one this server gave out" },
    { query: "cursor=", message: "cursor is not one this server gave out" },
    { query: "cursor=2147483648", message: "cursor is not one this server gave out" },
    { query: "cursor=999999999999", message: "cursor is not one this server gave out" },
    { query: `q=${"q".repeat(201)}`, message: "q must be at most 200 characters" },
  ];
  for (const c of badQueries) {
    test(`GET /assets?${c.query.slice(0, 30)} → 400 invalid_request`, async ({ request }) => {
      const error = await expectError(await request.get(`/assets?${c.query}`, { headers: acceptJson }), 400, "invalid_request");
      expect(error.message).toContain(c.message);
    });
  }

  test("the limit bounds themselves: 1 and 100 are fine, and the largest cursor is an empty-handed page", async ({ request }) => {
    const one = await getJson<Page<AssetView>>(request, "/assets?limit=1");
    expect(one.items).toHaveLength(1);
    expect(one.next_cursor).toMatch(/^\d+$/);
    const hundred = await getJson<Page<AssetView>>(request, "/assets?limit=100");
    expect(hundred.items.length).toBeLessThanOrEqual(100);
    expect((await getJson<Page<AssetView>>(request, "/assets?cursor=2147483647&limit=1")).items).toEqual(one.items);
    expect(await getJson<Page<AssetView>>(request, "/assets?cursor=1")).toEqual({ items: [], next_cursor: null });
  });

  test("GET /assets/{name} of an unknown or impossible name → 404 not_found", async ({ request }) => {
    for (const path of ["/assets/no-such-asset", "/assets/%25", "/asset/no-such-asset", "/asset/%25", `/assets/${"x".repeat(300)}`]) {
      await expectError(await request.get(path, { headers: acceptJson }), 404, "not_found");
    }
    await expectError(await request.get(`/objects/${randomHash()}`, { headers: acceptJson }), 404, "not_found");
    await expectError(await request.get("/objects/not-a-hash", { headers: acceptJson }), 404, "not_found");
  });

  test("a path with a malformed percent-escape → 400 invalid_request (JSON), never a 500", async ({ request }) => {
    for (const path of ["/assets/%E0%A4%A", "/asset/%E0%A4%A", "/activities/%E0%A4%A", "/objects/%", "/assets/%ZZ"]) {
      await expectError(await request.get(path, { headers: acceptJson }), 400, "invalid_request");
    }
  });
});

test.describe("GET /activities: the published activities", () => {
  test("paging walks every activity once, newest first, with publication indexes N…1 and no gaps", async ({ request }) => {
    await createAsset(request, alice);
    const latest = await latestActivityIndex(request);
    const { items } = await walk<ActivitySummary>(request, "/activities", 7);
    expect(items.map((a) => a.index)).toEqual(Array.from({ length: latest }, (_, i) => latest - i));
    expect(new Set(items.map((a) => a.activity_id)).size).toBe(items.length);
    for (const a of items) {
      expect(a.id).toBe(`${MAIN.url}/activities/${a.activity_id}`);
      expect(a.type).toBe("Create");
      expect(a.published).toMatch(PROTOCOL_TIME);
    }
    // One of them, in full: the summary matches the stored activity.
    const one = items[Math.floor(items.length / 2)];
    const full = await getJson<Activity>(request, `/activities/${one.index}`);
    expect(full.id).toBe(one.id);
    expect(full.published).toBe(one.published);
    expect(full.object.name).toBe(one.object_name);
  });

  test("unknown or impossible refs → 404 not_found (JSON)", async ({ request }) => {
    for (const ref of ["999999", "0", "not-a-ref", "2147483648", "9999999999", "99999999999", "-1", "%25", crypto.randomUUID()]) {
      const error = await expectError(await request.get(`/activities/${ref}`, { headers: acceptJson }), 404, "not_found");
      expect(error.message).toContain("There is no activity");
    }
    await expectError(await request.get("/activity/999999", { headers: acceptJson }), 404, "not_found");
  });

  for (const query of ["limit=0", "limit=101", "limit=abc", "cursor=abc", "cursor=2147483648"]) {
    test(`GET /activities?${query} → 400 invalid_request`, async ({ request }) => {
      await expectError(await request.get(`/activities?${query}`, { headers: acceptJson }), 400, "invalid_request");
    });
  }
});

test.describe("methods the registry paths do not serve → 405 method_not_allowed", () => {
  for (const c of [
    { method: "PUT", path: "/assets", allow: "GET, POST, HEAD, OPTIONS" },
    { method: "DELETE", path: "/assets/anything", allow: "GET, HEAD, OPTIONS" },
    { method: "GET", path: "/assets/record-run", allow: "POST, OPTIONS" },
    { method: "POST", path: "/objects/" + "a".repeat(64), allow: "GET, HEAD, OPTIONS" },
    { method: "POST", path: "/activities", allow: "GET, HEAD, OPTIONS" },
    { method: "DELETE", path: "/activities/1", allow: "GET, HEAD, OPTIONS" },
  ]) {
    test(`${c.method} ${c.path.slice(0, 30)}`, async ({ request }) => {
      const res = await request.fetch(c.path, { method: c.method, headers: acceptJson });
      await expectError(res, 405, "method_not_allowed");
      expect(res.headers()["allow"]).toBe(c.allow);
    });
  }
});
