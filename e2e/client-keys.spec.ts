// Client keys (BIN-2) and Moo-Auth-1 over HTTP (product.md §6, protocols.md §3): the key API and its
// hostile inputs, WebFinger for did:key, requests signed by a client written here from the spec
// (support/moo-auth.ts) — each way a signature can be wrong as its own test — cross-actor access,
// removal, replay, and C2S posts to the outbox.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, expectError, json } from "./support/api";
import { digestOf, didKeyOf, mooAuthHeaders, mooFetch, newClientKey, rawRequest, send, type Answer, type ClientKey } from "./support/moo-auth";
import { newUser, randomHash, uniqueName, type User } from "./support/registry";
import { registerInBrowser, sameOrigin, type BrowserUser } from "./support/renderers";
import { MAIN } from "./support/servers";

const url = (path: string) => `${MAIN.url}${path}`;

function expectUnauthorized(res: Answer, message?: RegExp): void {
  expect(res.status, res.text.slice(0, 400)).toBe(401);
  expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(res.json).toMatchObject({ error: "unauthorized", message: expect.any(String) });
  if (message) expect(String(res.json.message)).toMatch(message);
}

async function addKey(request: APIRequestContext, user: User, key: ClientKey, label?: string) {
  const res = await request.post("/auth/client-keys", { headers: { ...bearer(user.token), ...json }, data: { did_key: key.did, ...(label ? { label } : {}) } });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

async function listKeys(request: APIRequestContext, user: User) {
  const res = await request.get("/auth/client-keys", { headers: bearer(user.token) });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: { did_key: string; label: string | null; created_at: string; last_used_at: string | null }[] }).items;
}

/** A user with a registered client key. */
async function userWithKey(request: APIRequestContext, prefix: string): Promise<{ user: User; key: ClientKey }> {
  const user = await newUser(request, prefix);
  const key = newClientKey();
  await addKey(request, user, key);
  return { user, key };
}

test.describe("the client key API", () => {
  test("POST 201 with the documented shape, GET lists newest first, DELETE 204", async ({ request }) => {
    const user = await newUser(request, "keys");
    const first = newClientKey();
    const second = newClientKey();
    const added = await addKey(request, user, first, "  my laptop  ");
    expect(added).toEqual({
      did_key: first.did,
      label: "my laptop",
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      last_used_at: null,
      actor: `${MAIN.url}/users/${user.username}`,
    });
    await addKey(request, user, second);
    const items = await listKeys(request, user);
    expect(items.map((k) => k.did_key)).toEqual([second.did, first.did]);
    expect(items[1]).toEqual({ did_key: first.did, label: "my laptop", created_at: added.created_at, last_used_at: null });

    // Percent-encoded and plain did:keys in the path both name the key.
    const del1 = await request.delete(`/auth/client-keys/${encodeURIComponent(first.did)}`, { headers: bearer(user.token) });
    expect(del1.status()).toBe(204);
    const del2 = await request.delete(`/auth/client-keys/${second.did}`, { headers: bearer(user.token) });
    expect(del2.status()).toBe(204);
    expect(await listKeys(request, user)).toEqual([]);
  });

  test("accepts a form-encoded body", async ({ request }) => {
    const user = await newUser(request, "form");
    const key = newClientKey();
    const res = await request.post("/auth/client-keys", { headers: bearer(user.token), form: { did_key: key.did, label: "cli" } });
    expect(res.status(), await res.text()).toBe(201);
    expect((await listKeys(request, user)).map((k) => [k.did_key, k.label])).toEqual([[key.did, "cli"]]);
  });

  test("anonymous callers get 401 on GET, POST and DELETE", async ({ request }) => {
    const key = newClientKey();
    await expectError(await request.get("/auth/client-keys"), 401, "unauthorized");
    await expectError(await request.post("/auth/client-keys", { headers: json, data: { did_key: key.did } }), 401, "unauthorized");
    await expectError(await request.delete(`/auth/client-keys/${key.did}`), 401, "unauthorized");
  });

  test("a key already registered to the caller is 409, saying it is yours", async ({ request }) => {
    const { user, key } = await userWithKey(request, "dupown");
    const res = await request.post("/auth/client-keys", { headers: { ...bearer(user.token), ...json }, data: { did_key: key.did } });
    const body = await expectError(res, 409, "conflict");
    expect(body.message).toMatch(/already registered for your actor/);
    expect((await listKeys(request, user)).length).toBe(1);
  });

  test("a key registered to another actor is 409 and stays theirs", async ({ request }) => {
    const { user: owner, key } = await userWithKey(request, "dupa");
    const other = await newUser(request, "dupb");
    const body = await expectError(
      await request.post("/auth/client-keys", { headers: { ...bearer(other.token), ...json }, data: { did_key: key.did } }),
      409,
      "conflict",
    );
    expect(body.message).toMatch(/another actor/);
    expect(body.message).not.toContain(owner.username);
    expect(await listKeys(request, other)).toEqual([]);
    expect((await listKeys(request, owner)).map((k) => k.did_key)).toEqual([key.did]);
  });

  const malformed: [string, unknown, RegExp][] = [
    ["not a did:key", "https://example.com/key", /not a did:key/],
    ["a bare multibase key", "z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5", /not a did:key/],
    ["not base58btc z multibase", "did:key:m7QFrZXlzIGFyZSBub3QgYmFzZTU4", /base58btc.*'z'/],
    ["bad base58", "did:key:z6Mk0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl", /base58btc alphabet/],
    ["X25519 (z6LS…)", didKeyOf([0xec, 0x01], new Uint8Array(32).fill(5)), /not an Ed25519 key/],
    ["one byte short", didKeyOf([0xed, 0x01], new Uint8Array(31).fill(5)), /32-byte/],
    ["one byte long", didKeyOf([0xed, 0x01], new Uint8Array(33).fill(5)), /32-byte/],
    ["cut short in a copy-paste (still z6Mk…)", "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCq", /32-byte/],
    ["a number", 42, /did_key/],
    ["missing", undefined, /did_key is required/],
  ];
  for (const [what, did_key, message] of malformed) {
    test(`a did_key that is ${what} is 400 naming the defect, and nothing is stored`, async ({ request }) => {
      const user = await newUser(request, "bad");
      const res = await request.post("/auth/client-keys", { headers: { ...bearer(user.token), ...json }, data: { did_key, label: "x" } });
      const body = await expectError(res, 400, "invalid_request");
      expect(body.message).toMatch(message);
      expect(await listKeys(request, user)).toEqual([]);
    });
  }

  test("a label over 100 characters is 400", async ({ request }) => {
    const user = await newUser(request, "label");
    const res = await request.post("/auth/client-keys", {
      headers: { ...bearer(user.token), ...json },
      data: { did_key: newClientKey().did, label: "x".repeat(101) },
    });
    expect((await expectError(res, 400, "invalid_request")).message).toMatch(/label must be at most 100/);
    expect(await listKeys(request, user)).toEqual([]);
  });

  test("DELETE of another user's key is 404 and the key keeps working", async ({ request }) => {
    const { user: owner, key } = await userWithKey(request, "delown");
    const other = await newUser(request, "deloth");
    await expectError(await request.delete(`/auth/client-keys/${encodeURIComponent(key.did)}`, { headers: bearer(other.token) }), 404, "not_found");
    expect((await listKeys(request, owner)).map((k) => k.did_key)).toEqual([key.did]);
    expect((await mooFetch(key, "GET", url("/auth/me"))).status).toBe(200);
  });
});

test.describe("the browser session", () => {
  let person: BrowserUser;
  test.beforeAll(async ({ browser }) => {
    person = await registerInBrowser(browser, "keysess");
  });
  test.afterAll(async () => {
    await person.context.close();
  });

  test("writes from another site's page are 403 csrf_rejected and store nothing; from our own pages they work", async ({ request }) => {
    const key = newClientKey();
    const foreign: Record<string, string>[] = [{ origin: "http://evil.example" }, {}];
    for (const headers of foreign) {
      const res = await request.post("/auth/client-keys", { headers: { cookie: person.cookie, ...headers }, form: { did_key: key.did } });
      await expectError(res, 403, "csrf_rejected");
      const c2s = await request.post(`/users/${person.username}/outbox`, {
        headers: { cookie: person.cookie, ...json, ...headers },
        data: { type: "Create", object: { name: uniqueName("csrf"), contentHash: randomHash() } },
      });
      await expectError(c2s, 403, "csrf_rejected");
    }
    const listed = await request.get("/auth/client-keys", { headers: { cookie: person.cookie } });
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([]);

    const ok = await request.post("/auth/client-keys", { headers: sameOrigin(person), form: { did_key: key.did, label: "from the page" } });
    expect(ok.status(), await ok.text()).toBe(201);
    const del = await request.delete(`/auth/client-keys/${encodeURIComponent(key.did)}`, { headers: { cookie: person.cookie, origin: "http://evil.example" } });
    await expectError(del, 403, "csrf_rejected");
    const after = await request.get("/auth/client-keys", { headers: { cookie: person.cookie } });
    expect(((await after.json()) as { items: { did_key: string }[] }).items.map((k) => k.did_key)).toEqual([key.did]);
  });
});

test.describe("WebFinger for did:key", () => {
  test("404 before registration, the owner's acct and actor after, 404 after removal", async ({ request }) => {
    const user = await newUser(request, "wf");
    const key = newClientKey();
    const lookup = (resource: string) => request.get(`/.well-known/webfinger?resource=${resource}`);
    await expectError(await lookup(key.did), 404, "not_found");
    await addKey(request, user, key);
    for (const resource of [key.did, encodeURIComponent(key.did)]) {
      const res = await lookup(resource);
      expect(res.status(), await res.text()).toBe(200);
      const jrd = (await res.json()) as { subject: string; links: { rel: string; type?: string; href: string }[] };
      expect(jrd.subject).toBe(`acct:${user.username}@localhost:${MAIN.port}`);
      expect(jrd.links).toContainEqual({ rel: "self", type: "application/activity+json", href: `${MAIN.url}/users/${user.username}` });
    }
    expect((await request.delete(`/auth/client-keys/${encodeURIComponent(key.did)}`, { headers: bearer(user.token) })).status()).toBe(204);
    await expectError(await lookup(encodeURIComponent(key.did)), 404, "not_found");
  });

  test("a malformed did:key resource is 400 naming the defect", async ({ request }) => {
    const res = await request.get(`/.well-known/webfinger?resource=${encodeURIComponent(didKeyOf([0xec, 0x01], new Uint8Array(32).fill(1)))}`);
    expect((await expectError(res, 400, "invalid_request")).message).toMatch(/not an Ed25519 key/);
  });
});

test.describe("Moo-Auth-1", () => {
  let alice: { user: User; key: ClientKey };
  let bob: { user: User; key: ClientKey };
  test.beforeAll(async ({ request }) => {
    alice = await userWithKey(request, "moa");
    bob = await userWithKey(request, "mob");
  });

  test("GET /auth/me as the key's actor, and the key's last use is recorded", async ({ request }) => {
    const res = await mooFetch(alice.key, "GET", url("/auth/me"));
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ username: alice.user.username, actor_id: `${MAIN.url}/users/${alice.user.username}` });
    const [item] = (await listKeys(request, alice.user)).filter((k) => k.did_key === alice.key.did);
    expect(item.last_used_at).not.toBeNull();
  });

  test("GET and POST /auth/client-keys with a client key", async ({ request }) => {
    const list = await mooFetch(alice.key, "GET", url("/auth/client-keys"));
    expect(list.status, list.text).toBe(200);
    expect((list.json.items as { did_key: string }[]).map((k) => k.did_key)).toContain(alice.key.did);
    const extra = newClientKey();
    const add = await mooFetch(alice.key, "POST", url("/auth/client-keys"), JSON.stringify({ did_key: extra.did, label: "second" }));
    expect(add.status, add.text).toBe(201);
    expect((await listKeys(request, alice.user)).map((k) => k.did_key)).toContain(extra.did);
  });

  test("a signature by another key than the did:key named is 401", async () => {
    const res = await mooFetch(newClientKey(), "GET", url("/auth/me"), undefined, { did: alice.key.did });
    expectUnauthorized(res, /signature does not verify/);
  });

  test("a Host of another server is 401", async () => {
    const headers = mooAuthHeaders(alice.key, "GET", url("/auth/me"), undefined, { host: "evil.example" });
    const res = await rawRequest("GET", url("/auth/me"), { ...headers, host: "evil.example" });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: "unauthorized", message: expect.stringMatching(/Host header names evil\.example/) });
  });

  test("a Date 6 minutes old is 401", async () => {
    expectUnauthorized(await mooFetch(alice.key, "GET", url("/auth/me"), undefined, { date: new Date(Date.now() - 6 * 60_000) }), /s old/);
  });

  test("a Date 6 minutes ahead is 401", async () => {
    expectUnauthorized(await mooFetch(alice.key, "GET", url("/auth/me"), undefined, { date: new Date(Date.now() + 6 * 60_000) }), /s ahead/);
  });

  test("the GET signing string on a POST is 401", async () => {
    const body = JSON.stringify({ did_key: newClientKey().did });
    expectUnauthorized(await mooFetch(alice.key, "POST", url("/auth/client-keys"), body, { signedMethod: "GET" }), /signature does not verify/);
  });

  test("a tampered body sent with the old digest is 401, and nothing is stored", async ({ request }) => {
    const signedBody = JSON.stringify({ did_key: newClientKey().did });
    const sneaky = newClientKey();
    const headers = mooAuthHeaders(alice.key, "POST", url("/auth/client-keys"), signedBody);
    expectUnauthorized(await send("POST", url("/auth/client-keys"), headers, JSON.stringify({ did_key: sneaky.did })), /Digest/);
    expect((await listKeys(request, alice.user)).map((k) => k.did_key)).not.toContain(sneaky.did);
  });

  test("the correct digest of another body than the signed one is 401", async () => {
    const sent = JSON.stringify({ did_key: newClientKey().did });
    const res = await mooFetch(alice.key, "POST", url("/auth/client-keys"), sent, { signedBody: JSON.stringify({ other: true }) });
    expect(digestOf(sent)).not.toBe(digestOf(JSON.stringify({ other: true })));
    expectUnauthorized(res, /signature does not verify/);
  });

  test("a signature without the leading z is 401", async () => {
    const headers = mooAuthHeaders(alice.key, "GET", url("/auth/me"));
    headers["x-moo-signature"] = headers["x-moo-signature"].slice(1);
    expectUnauthorized(await send("GET", url("/auth/me"), headers), /'z'/);
  });

  test("a signature in base64 is 401", async () => {
    const headers = mooAuthHeaders(alice.key, "GET", url("/auth/me"));
    const lines = [`(request-target): get /auth/me`, `host: localhost:${MAIN.port}`, `date: ${headers.date}`].join("\n");
    const { sign } = await import("node:crypto");
    headers["x-moo-signature"] = sign(null, Buffer.from(lines), alice.key.privateKey).toString("base64");
    expectUnauthorized(await send("GET", url("/auth/me"), headers), /X-Moo-Signature/);
  });

  test("a did:key with another multicodec (z6LS…) is 401", async () => {
    const x25519 = didKeyOf([0xec, 0x01], new Uint8Array(32).fill(7));
    expectUnauthorized(await mooFetch(alice.key, "GET", url("/auth/me"), undefined, { did: x25519 }), /not an Ed25519 key/);
  });

  test("garbage in Authorization and X-Moo-Signature is 401, never 500", async () => {
    const garbage: Record<string, string>[] = [
      { authorization: "Moo-Auth-1" },
      { authorization: "Moo-Auth-1 did:key:z!!", "x-moo-signature": "z", date: new Date().toUTCString() },
      { authorization: `Moo-Auth-1 ${alice.key.did}`, "x-moo-signature": `z${"z".repeat(5000)}`, date: new Date().toUTCString() },
      { authorization: `Moo-Auth-1 ${alice.key.did}`, "x-moo-signature": "z2", date: "not a date" },
    ];
    for (const headers of garbage) {
      expectUnauthorized(await send("GET", url("/auth/me"), headers));
    }
  });

  test("a valid signature by an unregistered key is 401", async () => {
    expectUnauthorized(await mooFetch(newClientKey(), "GET", url("/auth/me")), /not a registered client key/);
  });

  test("a replayed request is 401: the first is 200, the identical second is refused", async ({ request }) => {
    // A key of its own: Date has one-second resolution, so another test's identical GET in the
    // same second would be this very signature.
    const { key } = await userWithKey(request, "replay");
    const headers = mooAuthHeaders(key, "GET", url("/auth/me"));
    expect((await send("GET", url("/auth/me"), headers)).status).toBe(200);
    expectUnauthorized(await send("GET", url("/auth/me"), headers), /already used/);
  });

  test("a removed key works, then DELETE, then 401", async ({ request }) => {
    const { user, key } = await userWithKey(request, "rm");
    expect((await mooFetch(key, "GET", url("/auth/me"))).status).toBe(200);
    expect((await request.delete(`/auth/client-keys/${encodeURIComponent(key.did)}`, { headers: bearer(user.token) })).status()).toBe(204);
    expectUnauthorized(await mooFetch(key, "GET", url("/auth/me")), /not a registered client key/);
  });

  test("a key may remove itself with a signed DELETE, and is refused from then on", async ({ request }) => {
    const { key } = await userWithKey(request, "selfdel");
    const path = url(`/auth/client-keys/${encodeURIComponent(key.did)}`);
    const res = await mooFetch(key, "DELETE", path);
    expect(res.status, res.text).toBe(204);
    expectUnauthorized(await mooFetch(key, "GET", url("/auth/me")), /not a registered client key/);
  });

  test("actor A's key on B's outbox is 401 (GET and POST); B's own key reads it", async () => {
    const outbox = url(`/users/${bob.user.username}/outbox`);
    expectUnauthorized(await mooFetch(alice.key, "GET", outbox), /only/);
    const create = JSON.stringify({ type: "Create", object: { type: "Image", name: uniqueName("x"), contentHash: randomHash() } });
    expectUnauthorized(await mooFetch(alice.key, "POST", outbox, create));
    const own = await mooFetch(bob.key, "GET", outbox);
    expect(own.status, own.text).toBe(200);
    expect(own.json).toMatchObject({ type: "OrderedCollection" });
  });

  test("actor A's key on B's inbox is 401; B's key reads it", async () => {
    const inbox = url(`/users/${bob.user.username}/inbox`);
    expectUnauthorized(await mooFetch(alice.key, "GET", inbox));
    const own = await mooFetch(bob.key, "GET", inbox);
    expect(own.status, own.text).toBe(200);
    expect(own.json).toMatchObject({ type: "OrderedCollection", id: inbox, totalItems: 0 });
    const page = await mooFetch(bob.key, "GET", `${inbox}?page=true`);
    expect(page.json).toMatchObject({ type: "OrderedCollectionPage", orderedItems: [] });
  });

  test("actor A's key on B's followers is 401; without Authorization they stay public", async () => {
    const followers = url(`/users/${bob.user.username}/followers`);
    expectUnauthorized(await mooFetch(alice.key, "GET", followers));
    expect((await mooFetch(bob.key, "GET", followers)).status).toBe(200);
    for (const path of ["followers", "outbox"]) {
      const anon = await fetch(url(`/users/${bob.user.username}/${path}`), { headers: { accept: "application/activity+json" } });
      expect(anon.status).toBe(200);
    }
  });

  test("the inbox is its owner's alone: anonymous 401, another user's token 401, the owner's token 200", async ({ request }) => {
    const path = `/users/${bob.user.username}/inbox`;
    await expectError(await request.get(path, { headers: { accept: "application/activity+json" } }), 401, "unauthorized");
    await expectError(await request.get(path, { headers: { accept: "application/activity+json", ...bearer(alice.user.token) } }), 401, "unauthorized");
    const own = await request.get(path, { headers: { accept: "application/activity+json", ...bearer(bob.user.token) } });
    expect(own.status()).toBe(200);
    expect(own.headers()["cache-control"]).toMatch(/no-store/);
  });

  test("POST /assets with a client key registers the asset for the key's actor", async () => {
    const name = uniqueName("moo-asset");
    const res = await mooFetch(alice.key, "POST", url("/assets"), JSON.stringify({ name, content_hash: randomHash(), asset_type: "image" }));
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ asset: { name, owner: alice.user.username } });
  });

  test("POST /assets/record-run with a client key gets past authentication to the run checks", async () => {
    const body = JSON.stringify({ run_id: "r1", l1_server: "https://not-listed.example", output_name: uniqueName("run") });
    const res = await mooFetch(alice.key, "POST", url("/assets/record-run"), body);
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ error: "l1_not_allowed" });
    expectUnauthorized(await send("POST", url("/assets/record-run"), {}, body));
  });
});

test.describe("C2S: POST /users/{u}/outbox", () => {
  let carol: { user: User; key: ClientKey };
  test.beforeAll(async ({ request }) => {
    carol = await userWithKey(request, "c2s");
  });
  const outbox = () => url(`/users/${carol.user.username}/outbox`);

  test("a Create with contentHash registers the asset as POST /assets does: 201, Location, {asset, activity}", async ({ request }) => {
    const name = uniqueName("c2s");
    const hash = randomHash();
    const create = {
      "@context": "https://www.w3.org/ns/activitystreams",
      type: "Create",
      actor: `${MAIN.url}/users/${carol.user.username}`,
      object: {
        type: "Image",
        name,
        contentHash: { algorithm: "sha3-256", value: hash },
        tag: [{ type: "Hashtag", name: "#cows" }, "moo"],
        metadata: { note: "from the CLI" },
      },
    };
    const res = await mooFetch(carol.key, "POST", outbox(), JSON.stringify(create));
    expect(res.status, res.text).toBe(201);
    const body = res.json as { asset: Record<string, unknown>; activity: Record<string, unknown> & { id: string } };
    expect(res.headers.get("location")).toBe(body.activity.id);
    expect(body.asset).toMatchObject({
      name,
      content_hash: hash,
      asset_type: "image",
      tags: ["cows", "moo"],
      metadata: { note: "from the CLI" },
      owner: carol.user.username,
    });
    expect(body.activity).toMatchObject({
      type: "Create",
      actor: `${MAIN.url}/users/${carol.user.username}`,
      object: { contentHash: { algorithm: "sha3-256", value: hash } },
    });
    // The same asset as POST /assets would have made: served at /assets/{name}, its activity at its id.
    const asset = await request.get(`/assets/${name}`, { headers: { accept: "application/json" } });
    expect(asset.status()).toBe(200);
    expect(await asset.json()).toMatchObject({ name, owner: carol.user.username, activity_id: body.asset.activity_id });
    const activity = await request.get(body.activity.id, { headers: { accept: "application/activity+json" } });
    expect(activity.status()).toBe(200);
    // And it is in the outbox.
    const page = await mooFetch(carol.key, "GET", `${outbox()}?page=true`);
    expect((page.json.orderedItems as { id: string }[])[0].id).toBe(body.activity.id);
  });

  test("a bare 64-hex contentHash and a Video object work; the owner's Bearer token may post too", async ({ request }) => {
    const name = uniqueName("c2s-bearer");
    const res = await request.post(`/users/${carol.user.username}/outbox`, {
      headers: { ...bearer(carol.user.token), "content-type": "application/activity+json" },
      data: { type: "Create", object: { type: "Video", name, contentHash: randomHash() } },
    });
    expect(res.status(), await res.text()).toBe(201);
    expect(((await res.json()) as { asset: { asset_type: string } }).asset.asset_type).toBe("video");
    expect(res.headers()["location"]).toMatch(/\/activities\//);
  });

  test("the validation messages are those of POST /assets, and nothing is registered", async ({ request }) => {
    const name = uniqueName("c2s-bad");
    const res = await mooFetch(carol.key, "POST", outbox(), JSON.stringify({ type: "Create", object: { type: "Image", name, contentHash: "abc" } }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: "invalid_request", message: expect.stringMatching(/content_hash must be 64 hex characters/) });
    const direct = await request.post("/assets", {
      headers: { ...bearer(carol.user.token), ...json },
      data: { name, content_hash: "abc", asset_type: "image" },
    });
    expect(((await direct.json()) as { message: string }).message).toBe(res.json.message);
    expect((await request.get(`/assets/${name}`, { headers: { accept: "application/json" } })).status()).toBe(404);
  });

  test("a content hash already claimed is the same 409 as POST /assets", async () => {
    const hash = randomHash();
    const first = await mooFetch(carol.key, "POST", outbox(), JSON.stringify({ type: "Create", object: { name: uniqueName("c1"), contentHash: hash } }));
    expect(first.status, first.text).toBe(201);
    const again = await mooFetch(carol.key, "POST", outbox(), JSON.stringify({ type: "Create", object: { name: uniqueName("c2"), contentHash: hash } }));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: "content_already_claimed" });
  });

  for (const type of ["Like", "Delete", "Follow", "Announce"]) {
    test(`a ${type} is 400 unsupported_activity`, async () => {
      const res = await mooFetch(carol.key, "POST", outbox(), JSON.stringify({ type, object: "https://example.com/x" }));
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: "unsupported_activity", message: expect.stringContaining(type) });
    });
  }

  test("a Create without contentHash is 400 unsupported_activity; malformed JSON is 400", async () => {
    const res = await mooFetch(carol.key, "POST", outbox(), JSON.stringify({ type: "Create", object: { type: "Note", content: "hello" } }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: "unsupported_activity", message: expect.stringMatching(/contentHash/) });
    const broken = await mooFetch(carol.key, "POST", outbox(), "{not json");
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ error: "malformed_json" });
  });

  test("without authentication it is 401", async () => {
    const body = JSON.stringify({ type: "Create", object: { name: uniqueName("anon"), contentHash: randomHash() } });
    expectUnauthorized(await send("POST", outbox(), {}, body));
  });

  test("another user's Bearer token is 401", async ({ request }) => {
    const other = await newUser(request, "c2sother");
    const res = await request.post(`/users/${carol.user.username}/outbox`, {
      headers: { ...bearer(other.token), ...json },
      data: { type: "Create", object: { name: uniqueName("x"), contentHash: randomHash() } },
    });
    await expectError(res, 401, "unauthorized");
  });
});
