// Key ownership is proved, never believed (protocols.md §2, issue #12 items 1 and 2): hostile peers
// are real node:http servers on 127.0.0.1 (lib/testing/ap-peer.ts) serving their own actor and key
// documents; `home` is where honest remote actors live, `evil` is the attacker's server. Every
// refusal is checked by what a user would see: the 401 and its message, no follower added or
// removed, no activity kept, no key cached.
import { createPrivateKey, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { ed25519PublicKeyToMultibase, ensureActorKeyPair, readActorEd25519Key, readActorPrivateKey } from "@/lib/crypto";
import { buildRfc9421SignatureBase, type SignatureSpec, signCavage, type SignedRequest, signRequest } from "@/lib/http-signatures";
import { signBytes } from "@/lib/http-signatures/algorithms";
import { serializeInnerList, sfInteger, sfItem, sfString, type InnerList } from "@/lib/http-signatures/structured-fields";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { peerKeys, personDocument, startApPeer, type ApPeer, type PeerKeys } from "@/lib/testing/ap-peer";
import { KEY_CONFIRMATION_MAX_AGE_SECONDS, receiveActivity } from ".";

type InboxPost = SignedRequest & { body: Uint8Array };

const L2 = "https://l2.test";
const ALICE = `${L2}/users/alice`;
const BOB = `${L2}/users/bob`;
const SPECS: SignatureSpec[] = ["draft-cavage", "rfc9421"];

interface Signer {
  privateKey: KeyObject;
  keyId: string;
}

interface SignOptions {
  /** The host the sender signed for (default: ours). */
  signedFor?: string;
  /** The Host header the request reached us with (default: none, as in-process). */
  arrivedHost?: string;
  /** The URL the request reached us at (default: our public URL). */
  arrivedAt?: string;
  now?: Date;
}

let seq = 0;
const fresh = (base: string, kind: string) => `${base}/${kind}/${++seq}`;

describe.each(databaseKinds)("key ownership and the signed host (%s)", (kind) => {
  let t: TestContext;
  let home: ApPeer;
  let evil: ApPeer;
  let victim: string;
  let mallory: string;
  let victimKeys: PeerKeys;
  let malloryKeys: PeerKeys;
  let malloryKey: Signer;

  function inbound(path: string, activity: object, signer: Signer, spec: SignatureSpec, o: SignOptions = {}): InboxPost {
    const body = JSON.stringify(activity);
    const headers = signRequest(
      { method: "POST", url: `https://${o.signedFor ?? "l2.test"}${path}`, headers: new Headers({ "content-type": "application/activity+json" }), body },
      { privateKey: signer.privateKey, keyId: signer.keyId, spec, now: o.now ?? t.ctx.now() },
    );
    if (o.arrivedHost) headers.set("host", o.arrivedHost);
    return { method: "POST", url: o.arrivedAt ?? `${L2}${path}`, headers, body: new TextEncoder().encode(body) };
  }

  async function refused(req: InboxPost, inboxOwner: string | null, message: string | RegExp) {
    const err = await rejectsWithAppError(receiveActivity(t.ctx, req, inboxOwner));
    expect({ status: err.status, code: err.code }).toEqual({ status: 401, code: "unauthorized" });
    expect(err.message).toMatch(message);
    const id = (JSON.parse(new TextDecoder().decode(req.body)) as { id: string }).id;
    expect(await t.ctx.prisma.inboxSeen.count({ where: { activityId: id } }), "the refused activity is not remembered").toBe(0);
    expect(await t.ctx.prisma.inboxItem.count({ where: { activityId: id } }), "nor kept in an inbox").toBe(0);
  }

  const followersOfAlice = async () =>
    (await t.ctx.prisma.follower.findMany({ where: { username: "alice" }, select: { actor: true }, orderBy: { id: "asc" } })).map((f) => f.actor);
  const cachedKey = (keyId: string) => t.ctx.prisma.remoteKey.findUnique({ where: { keyId } });

  beforeAll(async () => {
    t = await createTestContext(kind, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    for (const u of ["alice", "bob"]) await registerUser(t.ctx, { username: u, password: `password ${u}` }, { client: null });
    await ensureActorKeyPair(t.config.keysDir, t.config.primaryUser);
    [home, evil] = await Promise.all([startApPeer(), startApPeer()]);
    victim = `${home.origin}/users/victim`;
    mallory = `${evil.origin}/users/mallory`;
    victimKeys = peerKeys();
    malloryKeys = peerKeys();
    malloryKey = { privateKey: malloryKeys.rsa.privateKey, keyId: `${mallory}#main-key` };
    home.serve("/users/victim", { json: personDocument(victim, victimKeys.rsa.pem) });
    evil.serve("/users/mallory", { json: personDocument(mallory, malloryKeys.rsa.pem) });
    // The victim really follows alice: a forged Undo would take that away.
    const follow = { id: fresh(victim, "follows"), type: "Follow", actor: victim, object: ALICE };
    const real = { privateKey: victimKeys.rsa.privateKey, keyId: `${victim}#main-key` };
    expect(await receiveActivity(t.ctx, inbound("/users/alice/inbox", follow, real, "draft-cavage"), "alice")).toMatchObject({ result: "followed" });
  });
  afterAll(async () => {
    await Promise.all([home?.close(), evil?.close()]);
    await t?.close();
  });

  it("a key document that names a remote victim as owner/controller signs no Follow or Undo for it", async () => {
    for (const spec of SPECS) {
      for (const field of ["owner", "controller"]) {
        const path = `/keys/${spec}-${field}`;
        const keyId = `${evil.origin}${path}`;
        evil.serve(path, { json: { id: keyId, type: "CryptographicKey", [field]: victim, publicKeyPem: malloryKeys.rsa.pem } });
        const signer = { privateKey: malloryKeys.rsa.privateKey, keyId };
        const asked = home.fetched("/users/victim");

        const follow = { id: fresh(victim, "follows"), type: "Follow", actor: victim, object: ALICE };
        await refused(inbound("/users/alice/inbox", follow, signer, spec), "alice", `${victim} does not list the key ${keyId}`);
        const undo = { id: fresh(victim, "undos"), type: "Undo", actor: victim, object: { type: "Follow", actor: victim, object: ALICE } };
        await refused(inbound("/inbox", undo, signer, spec), null, `${victim} does not list the key ${keyId}`);

        // The claim was put to the victim's own document (each time: a refusal is not cached).
        expect(home.fetched("/users/victim") - asked, `${spec} ${field}`).toBe(2);
        expect(await cachedKey(keyId)).toBeNull();
        expect(await followersOfAlice()).toEqual([victim]);
      }
    }
  });

  it("a key document that names one of our own users as owner signs nothing for it; our keys are read, not fetched", async () => {
    const keyId = `${evil.origin}/keys/for-bob`;
    evil.serve("/keys/for-bob", { json: { id: keyId, owner: BOB, publicKeyPem: malloryKeys.rsa.pem } });
    for (const spec of SPECS) {
      const signer = { privateKey: malloryKeys.rsa.privateKey, keyId };
      const follow = { id: fresh(BOB, "follows"), type: "Follow", actor: BOB, object: ALICE };
      await refused(inbound("/users/alice/inbox", follow, signer, spec), "alice", `${BOB} does not list the key ${keyId}`);
      const undo = { id: fresh(BOB, "undos"), type: "Undo", actor: BOB, object: { type: "Follow", actor: BOB, object: ALICE } };
      await refused(inbound("/inbox", undo, signer, spec), null, `${BOB} does not list the key ${keyId}`);
      // A keyId on our host that bob does not list, and bob's own keyId with someone else's key.
      const unlisted = { id: fresh(BOB, "likes"), type: "Like", actor: BOB, object: ALICE };
      await refused(
        inbound("/inbox", unlisted, { privateKey: malloryKeys.rsa.privateKey, keyId: `${BOB}#other-key` }, spec),
        null,
        `${BOB} does not hold the key ${BOB}#other-key`,
      );
      await refused(
        inbound("/inbox", { ...unlisted, id: fresh(BOB, "likes") }, { privateKey: malloryKeys.rsa.privateKey, keyId: `${BOB}#main-key` }, spec),
        null,
        "bad_signature",
      );
      // …nor one of a user that does not exist, nor a path that is no actor.
      await refused(
        inbound(
          "/inbox",
          { ...unlisted, id: fresh(BOB, "likes"), actor: `${L2}/users/nobody` },
          { privateKey: malloryKeys.rsa.privateKey, keyId: `${L2}/users/nobody#main-key` },
          spec,
        ),
        null,
        "is not one of this server's actors",
      );
      await refused(
        inbound(
          "/inbox",
          { ...unlisted, id: fresh(BOB, "likes"), actor: `${L2}/users/%62ob` },
          { privateKey: malloryKeys.rsa.privateKey, keyId: `${L2}/users/%62ob#main-key` },
          spec,
        ),
        null,
        "is not one of this server's actors",
      );
    }
    expect(await followersOfAlice()).toEqual([victim]);
    expect(await cachedKey(keyId)).toBeNull();

    // Control: bob's real keys (RSA and the Ed25519 Multikey of his assertionMethod) do sign for him,
    // and the instance actor's key for /actor but not for the user whose key pair it is.
    const bobRsa = createPrivateKey((await readActorPrivateKey(t.config.keysDir, "bob"))!);
    const bobEd = (await readActorEd25519Key(t.config.keysDir, "bob"))!.privateKey;
    for (const spec of SPECS) {
      for (const signer of [
        { privateKey: bobRsa, keyId: `${BOB}#main-key` },
        { privateKey: bobEd, keyId: `${BOB}#ed25519-key` },
      ]) {
        const like = { id: fresh(BOB, "likes"), type: "Like", actor: BOB, object: ALICE };
        expect(await receiveActivity(t.ctx, inbound("/users/alice/inbox", like, signer, spec), "alice")).toEqual({ result: "ignored", type: "Like" });
      }
      const instance = { privateKey: createPrivateKey((await readActorPrivateKey(t.config.keysDir, t.config.primaryUser))!), keyId: `${L2}/actor#main-key` };
      const asInstance = { id: fresh(`${L2}/actor`, "likes"), type: "Like", actor: `${L2}/actor`, object: ALICE };
      expect(await receiveActivity(t.ctx, inbound("/inbox", asInstance, instance, spec), null)).toEqual({ result: "ignored", type: "Like" });
      const asPrimary = { id: fresh(L2, "likes"), type: "Like", actor: `${L2}/users/${t.config.primaryUser}`, object: ALICE };
      await refused(inbound("/inbox", asPrimary, instance, spec), null, `The signing key's owner (${L2}/actor) is not the activity's actor.`);
    }
    // Our own keys are never cached as remote keys.
    expect(await t.ctx.prisma.remoteKey.count({ where: { keyId: { startsWith: L2 } } })).toBe(0);
  });

  it("a key without a provable owner is refused: none named, not a URL, absurdly long, or a keyId that is no URL", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["no-owner", {}, "names no owner"],
      ["js-owner", { owner: "javascript:alert(1)" }, "javascript:alert(1) is not an http(s) URL"],
      ["long-owner", { owner: `${home.origin}/users/${"x".repeat(10_000)}` }, "…"],
      ["no-key", { publicKeyPem: undefined }, "does not hold the key"],
      ["bad-pem", { publicKeyPem: "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n" }, "has no usable public key"],
    ];
    for (const [name, fields, message] of cases) {
      const keyId = `${evil.origin}/keys/${name}`;
      evil.serve(`/keys/${name}`, { json: { id: keyId, publicKeyPem: malloryKeys.rsa.pem, ...fields } });
      const like = { id: fresh(mallory, "likes"), type: "Like", actor: mallory, object: ALICE };
      await refused(inbound("/inbox", like, { privateKey: malloryKeys.rsa.privateKey, keyId }, "draft-cavage"), null, message);
    }
    const err = await rejectsWithAppError(
      receiveActivity(
        t.ctx,
        inbound(
          "/inbox",
          { id: fresh(mallory, "likes"), type: "Like", actor: mallory, object: ALICE },
          { privateKey: malloryKeys.rsa.privateKey, keyId: `${evil.origin}/keys/long-owner` },
          "rfc9421",
        ),
        null,
      ),
    );
    expect(err.message.length).toBeLessThan(1000);
    for (const keyId of ["acct:mallory@evil.example", "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5", "ftp://evil.example/key"]) {
      await refused(
        inbound(
          "/inbox",
          { id: fresh(mallory, "likes"), type: "Like", actor: mallory, object: ALICE },
          { privateKey: malloryKeys.rsa.privateKey, keyId },
          "rfc9421",
        ),
        null,
        "is not an http(s) URL",
      );
    }
  });

  it("an actor document whose id is not the URL it was served at proves nothing", async () => {
    for (const spec of SPECS) {
      for (const withOwner of [true, false]) {
        const path = `/users/imposter-${spec}-${withOwner}`;
        const keyId = `${evil.origin}${path}#main-key`;
        // Served at evil's URL, claiming to be the victim, listing evil's key.
        evil.serve(path, {
          json: {
            ...personDocument(victim, malloryKeys.rsa.pem),
            publicKey: { id: keyId, ...(withOwner ? { owner: victim } : {}), publicKeyPem: malloryKeys.rsa.pem },
          },
        });
        const signer = { privateKey: malloryKeys.rsa.privateKey, keyId };
        const follow = { id: fresh(victim, "follows"), type: "Follow", actor: victim, object: ALICE };
        await refused(inbound("/users/alice/inbox", follow, signer, spec), "alice", `${victim} does not list the key ${keyId}`);
        // Nor does it speak for the URL it was served at (whose document says it is someone else).
        const asServed = { id: fresh(evil.origin, "follows"), type: "Follow", actor: `${evil.origin}${path}`, object: ALICE };
        await refused(inbound("/users/alice/inbox", asServed, signer, spec), "alice", /does not list the key|is not the activity's actor/);
      }
    }
    expect(await followersOfAlice()).toEqual([victim]);
  });

  it("an owner document is read from the owner's origin only: a redirect to another origin proves nothing", async () => {
    const owner = `${home.origin}/users/redirected`;
    const keyId = `${evil.origin}/keys/redirected`;
    evil.serve("/keys/redirected", { json: { id: keyId, owner, publicKeyPem: malloryKeys.rsa.pem } });
    home.serve("/users/redirected", { redirect: `${evil.origin}/users/redirected-copy` });
    evil.serve("/users/redirected-copy", {
      json: { ...personDocument(owner, malloryKeys.rsa.pem), publicKey: { id: keyId, owner, publicKeyPem: malloryKeys.rsa.pem } },
    });
    for (const spec of SPECS) {
      const follow = { id: fresh(owner, "follows"), type: "Follow", actor: owner, object: ALICE };
      await refused(inbound("/users/alice/inbox", follow, { privateKey: malloryKeys.rsa.privateKey, keyId }, spec), "alice", "redirected to another origin");
    }
    expect(evil.fetched("/users/redirected-copy")).toBe(0);

    // Controls: a redirect within the owner's origin is followed, and a key hosted on another
    // origin counts when its owner's own document lists it.
    const moved = `${home.origin}/users/moved`;
    const movedKeys = peerKeys();
    home.serve("/users/moved", { redirect: "/profiles/moved" });
    home.serve("/profiles/moved", { json: personDocument(moved, movedKeys.rsa.pem) });
    const hostedKeyId = `${evil.origin}/keys/hosted-for-vera`;
    const vera = `${home.origin}/users/vera`;
    const veraKeys = peerKeys();
    evil.serve("/keys/hosted-for-vera", { json: { id: hostedKeyId, owner: vera, publicKeyPem: veraKeys.rsa.pem } });
    home.serve("/users/vera", { json: { ...personDocument(vera, victimKeys.rsa.pem), verificationMethod: hostedKeyId } });
    for (const spec of SPECS) {
      const like = { id: fresh(moved, "likes"), type: "Like", actor: moved, object: ALICE };
      expect(await receiveActivity(t.ctx, inbound("/inbox", like, { privateKey: movedKeys.rsa.privateKey, keyId: `${moved}#main-key` }, spec), null)).toEqual({
        result: "ignored",
        type: "Like",
      });
      const veraLike = { id: fresh(vera, "likes"), type: "Like", actor: vera, object: ALICE };
      expect(await receiveActivity(t.ctx, inbound("/inbox", veraLike, { privateKey: veraKeys.rsa.privateKey, keyId: hostedKeyId }, spec), null)).toEqual({
        result: "ignored",
        type: "Like",
      });
    }
    expect(await cachedKey(hostedKeyId)).toMatchObject({ owner: vera, ownerConfirmedAt: expect.any(Date) });

    // The owner lists the keyId but embeds another public key under it: the key document is not believed.
    const split = `${home.origin}/users/split`;
    const splitKeyId = `${evil.origin}/keys/split`;
    evil.serve("/keys/split", { json: { id: splitKeyId, owner: split, publicKeyPem: malloryKeys.rsa.pem } });
    home.serve("/users/split", {
      json: { ...personDocument(split, victimKeys.rsa.pem), publicKey: { id: splitKeyId, owner: split, publicKeyPem: victimKeys.rsa.pem } },
    });
    const splitLike = { id: fresh(split, "likes"), type: "Like", actor: split, object: ALICE };
    await refused(
      inbound("/inbox", splitLike, { privateKey: malloryKeys.rsa.privateKey, keyId: splitKeyId }, "draft-cavage"),
      null,
      `${split} lists another public key as ${splitKeyId}`,
    );
  });

  it("an embedded object attributed to (or acted by) someone else is refused, even under the signer's proved key", async () => {
    const notMallory = [victim, { id: victim }, [mallory, victim], [{ id: mallory }, { id: victim }], { name: "no id" }];
    for (const spec of SPECS) {
      for (const attributedTo of notMallory) {
        const create = { id: fresh(mallory, "creates"), type: "Create", actor: mallory, object: { id: fresh(mallory, "notes"), type: "Note", attributedTo } };
        await refused(inbound("/users/alice/inbox", create, malloryKey, spec), "alice", /The embedded object's attributedTo is .* not the signing actor/);
      }
      // An Undo of the victim's Follow, by mallory: the Follow was not hers to undo.
      const undo = { id: fresh(mallory, "undos"), type: "Undo", actor: mallory, object: { type: "Follow", actor: victim, object: ALICE } };
      await refused(inbound("/inbox", undo, malloryKey, spec), null, `The embedded object's actor is ${victim}, not the signing actor ${mallory}.`);
      for (const attributedTo of [mallory, { id: mallory }, [mallory], [{ id: mallory }]]) {
        const create = { id: fresh(mallory, "creates"), type: "Create", actor: mallory, object: { id: fresh(mallory, "notes"), type: "Note", attributedTo } };
        expect(await receiveActivity(t.ctx, inbound("/users/alice/inbox", create, malloryKey, spec), "alice")).toEqual({ result: "ignored", type: "Create" });
      }
    }
    expect(await followersOfAlice()).toEqual([victim]);
  });

  it("a cached key is confirmed again when it is refetched, and when its confirmation is a day old", async () => {
    const rot = `${home.origin}/users/rot`;
    const keyId = `${evil.origin}/keys/rot`; // hosted by a third party that later turns hostile
    const first = peerKeys();
    evil.serve("/keys/rot", { json: { id: keyId, owner: rot, publicKeyPem: first.rsa.pem } });
    home.serve("/users/rot", { json: { ...personDocument(rot, first.rsa.pem), publicKey: keyId } });
    const like = () => ({ id: fresh(rot, "likes"), type: "Like", actor: rot, object: ALICE });
    expect(await receiveActivity(t.ctx, inbound("/inbox", like(), { privateKey: first.rsa.privateKey, keyId }, "rfc9421"), null)).toMatchObject({
      result: "ignored",
    });
    expect(await cachedKey(keyId)).toMatchObject({ owner: rot, publicKeyPem: first.rsa.pem, ownerConfirmedAt: t.ctx.now() });

    // The owner moves to another key; the key host now serves mallory's key under the old id.
    home.serve("/users/rot", { json: { ...personDocument(rot, first.rsa.pem), publicKey: `${home.origin}/keys/rot-2` } });
    evil.serve("/keys/rot", { json: { id: keyId, owner: rot, publicKeyPem: malloryKeys.rsa.pem } });
    const asked = home.fetched("/users/rot");
    await refused(inbound("/inbox", like(), { privateKey: malloryKeys.rsa.privateKey, keyId }, "draft-cavage"), null, `${rot} does not list the key ${keyId}`);
    expect(home.fetched("/users/rot")).toBe(asked + 1);
    expect(await cachedKey(keyId), "an unconfirmed key leaves the cache").toBeNull();

    // A cached key whose owner stops listing it (same key material) is used for a day, no longer.
    const day = `${home.origin}/users/day`;
    const dayKeys = peerKeys();
    home.serve("/users/day", { json: personDocument(day, dayKeys.rsa.pem) });
    const daySigner = { privateKey: dayKeys.rsa.privateKey, keyId: `${day}#main-key` };
    const dayLike = () => ({ id: fresh(day, "likes"), type: "Like", actor: day, object: ALICE });
    const start = t.ctx.now();
    try {
      expect(await receiveActivity(t.ctx, inbound("/inbox", dayLike(), daySigner, "draft-cavage"), null)).toMatchObject({ result: "ignored" });
      home.serve("/users/day", { json: { ...personDocument(day, dayKeys.rsa.pem), publicKey: [] } });
      // Its own key document (the actor) no longer holds it either, but the cache still does.
      t.setNow(new Date(start.getTime() + (KEY_CONFIRMATION_MAX_AGE_SECONDS - 60) * 1000));
      expect(await receiveActivity(t.ctx, inbound("/inbox", dayLike(), daySigner, "draft-cavage"), null)).toMatchObject({ result: "ignored" });
      t.setNow(new Date(start.getTime() + (KEY_CONFIRMATION_MAX_AGE_SECONDS + 60) * 1000));
      await refused(inbound("/inbox", dayLike(), daySigner, "draft-cavage"), null, `${day} does not hold the key ${day}#main-key`);
      expect(await cachedKey(`${day}#main-key`)).toBeNull();
    } finally {
      t.setNow(start);
    }

    // A row cached before ownership was confirmed (the old, believing cache) is not trusted.
    const legacy = `${evil.origin}/keys/legacy`;
    evil.serve("/keys/legacy", { json: { id: legacy, owner: victim, publicKeyPem: malloryKeys.rsa.pem } });
    await t.ctx.prisma.remoteKey.create({ data: { keyId: legacy, owner: victim, publicKeyPem: malloryKeys.rsa.pem } });
    const follow = { id: fresh(victim, "follows"), type: "Follow", actor: victim, object: ALICE };
    await refused(
      inbound("/users/alice/inbox", follow, { privateKey: malloryKeys.rsa.privateKey, keyId: legacy }, "rfc9421"),
      "alice",
      `${victim} does not list the key ${legacy}`,
    );
    expect(await cachedKey(legacy)).toBeNull();
    expect(await followersOfAlice()).toEqual([victim]);
  });

  it("a cached key another replica dropped from remote_keys is used from this process's memory for a minute at most", async () => {
    const mem = `${home.origin}/users/mem`;
    const memKeys = peerKeys();
    home.serve("/users/mem", { json: personDocument(mem, memKeys.rsa.pem) });
    const signer = { privateKey: memKeys.rsa.privateKey, keyId: `${mem}#main-key` };
    const like = () => ({ id: fresh(mem, "likes"), type: "Like", actor: mem, object: ALICE });
    const start = t.ctx.now();
    try {
      expect(await receiveActivity(t.ctx, inbound("/inbox", like(), signer, "draft-cavage"), null)).toEqual({ result: "ignored", type: "Like" });
      const asked = home.fetched("/users/mem");
      // The owner stops listing the key and another replica, finding it so, drops the row.
      home.serve("/users/mem", { json: { ...personDocument(mem, memKeys.rsa.pem), publicKey: [] } });
      await t.ctx.prisma.remoteKey.deleteMany({ where: { keyId: signer.keyId } });
      t.setNow(new Date(start.getTime() + 59_000));
      expect(await receiveActivity(t.ctx, inbound("/users/alice/inbox", like(), signer, "rfc9421"), "alice")).toEqual({ result: "ignored", type: "Like" });
      expect(home.fetched("/users/mem"), "nothing fetched while remembered").toBe(asked);
      t.setNow(new Date(start.getTime() + 61_000));
      await refused(inbound("/inbox", like(), signer, "draft-cavage"), null, `${mem} does not hold the key ${mem}#main-key`);
      expect(await cachedKey(signer.keyId)).toBeNull();
    } finally {
      t.setNow(start);
    }
  });

  it("Ed25519 keys published as Multikey (assertionMethod, verificationMethod) sign hs2019 and RFC 9421 for their controller", async () => {
    const edna = `${home.origin}/users/edna`;
    const ednaKeys = peerKeys();
    const multikey = (id: string, controller: string, key: KeyObject) => ({
      id,
      type: "Multikey",
      controller,
      publicKeyMultibase: ed25519PublicKeyToMultibase(key),
    });
    home.serve("/users/edna", {
      json: personDocument(edna, ednaKeys.rsa.pem, { assertionMethod: [multikey(`${edna}#key-2`, edna, ednaKeys.ed25519.publicKey)] }),
    });
    const vm = `${home.origin}/users/vm`;
    const vmKeys = peerKeys();
    home.serve("/users/vm", { json: personDocument(vm, vmKeys.rsa.pem, { verificationMethod: [`${home.origin}/keys/vm`] }) });
    home.serve("/keys/vm", {
      json: { "@context": "https://w3id.org/security/multikey/v1", ...multikey(`${home.origin}/keys/vm`, vm, vmKeys.ed25519.publicKey) },
    });
    for (const spec of SPECS) {
      const like = { id: fresh(edna, "likes"), type: "Like", actor: edna, object: ALICE };
      const req = inbound("/inbox", like, { privateKey: ednaKeys.ed25519.privateKey, keyId: `${edna}#key-2` }, spec);
      if (spec === "draft-cavage") expect(req.headers.get("signature")).toContain('algorithm="hs2019"');
      expect(await receiveActivity(t.ctx, req, null)).toEqual({ result: "ignored", type: "Like" });
      const vmLike = { id: fresh(vm, "likes"), type: "Like", actor: vm, object: ALICE };
      expect(
        await receiveActivity(t.ctx, inbound("/inbox", vmLike, { privateKey: vmKeys.ed25519.privateKey, keyId: `${home.origin}/keys/vm` }, spec), null),
      ).toEqual({ result: "ignored", type: "Like" });
      // A Multikey on evil's server whose controller is said to be the victim: not the victim's.
      const mk = `${evil.origin}/keys/mk-${spec}`;
      evil.serve(`/keys/mk-${spec}`, { json: multikey(mk, victim, malloryKeys.ed25519.publicKey) });
      const follow = { id: fresh(victim, "follows"), type: "Follow", actor: victim, object: ALICE };
      await refused(
        inbound("/users/alice/inbox", follow, { privateKey: malloryKeys.ed25519.privateKey, keyId: mk }, spec),
        "alice",
        `${victim} does not list the key ${mk}`,
      );
    }
    expect(await cachedKey(`${edna}#key-2`)).toMatchObject({ owner: edna });
  });

  describe("the signed host must be ours (ARTDAG_DOMAIN)", () => {
    const like = () => ({ id: fresh(mallory, "likes"), type: "Like", actor: mallory, object: ALICE });

    it("a request signed for another host is refused, whatever Host it arrives with", async () => {
      for (const spec of SPECS) {
        await refused(
          inbound("/inbox", like(), malloryKey, spec, { signedFor: "other.example", arrivedHost: "other.example" }),
          null,
          "The HTTP signature is for another server (the signature is for host other.example, not for l2.test).",
        );
        await refused(inbound("/inbox", like(), malloryKey, spec, { signedFor: "other.example", arrivedHost: "l2.test" }), null, "bad_signature");
        await refused(inbound("/inbox", like(), malloryKey, spec, { signedFor: "other.example" }), null, "bad_signature");
        // Our host with another port is another authority.
        await refused(inbound("/inbox", like(), malloryKey, spec, { signedFor: "l2.test:8443", arrivedHost: "l2.test:8443" }), null, "for another server");
      }
    });

    it("behind a reverse proxy (another Host and URL reach the app), a signature for our domain is accepted", async () => {
      for (const spec of SPECS) {
        const req = inbound("/users/alice/inbox", like(), malloryKey, spec, {
          arrivedHost: "127.0.0.1:3000",
          arrivedAt: "http://127.0.0.1:3000/users/alice/inbox",
        });
        expect(await receiveActivity(t.ctx, req, "alice")).toEqual({ result: "ignored", type: "Like" });
      }
    });

    it("a draft-cavage signature that does not cover host is refused", async () => {
      const body = JSON.stringify(like());
      for (const covered of [
        ["(request-target)", "date", "digest"],
        ["(request-target)", "(created)", "digest"],
      ]) {
        const added = signCavage(
          { method: "POST", url: `${L2}/inbox`, headers: new Headers({ host: "l2.test" }), body },
          { privateKey: malloryKey.privateKey, keyId: malloryKey.keyId, headers: covered, now: t.ctx.now() },
        );
        const req = { method: "POST", url: `${L2}/inbox`, headers: new Headers({ host: "l2.test", ...added }), body: new TextEncoder().encode(body) };
        await refused(req, null, "The HTTP signature does not cover what it must (the signature does not cover host (it must name this server, l2.test)).");
      }
    });

    it("RFC 9421: @authority or @target-uri must be covered (either names our host); neither is refused", async () => {
      function rfc9421(components: string[], host: string) {
        const body = JSON.stringify(like());
        const headers = signRequest(
          { method: "POST", url: `https://${host}/inbox`, headers: new Headers({ host }), body },
          { ...malloryKey, spec: "rfc9421", now: t.ctx.now() },
        );
        const covered: InnerList = {
          kind: "inner-list",
          items: components.map((c) => sfItem(sfString(c))),
          params: new Map([
            ["created", sfInteger(Math.floor(t.ctx.now().getTime() / 1000))],
            ["keyid", sfString(malloryKey.keyId)],
            ["alg", sfString("rsa-v1_5-sha256")],
          ]),
        };
        const base = buildRfc9421SignatureBase({ method: "POST", url: `https://${host}/inbox`, headers }, covered);
        if (!base.ok) throw new Error(base.detail);
        headers.set("signature-input", `sig1=${serializeInnerList(covered)}`);
        headers.set("signature", `sig1=:${signBytes("rsa-v1_5-sha256", malloryKey.privateKey, new TextEncoder().encode(base.text)).toString("base64")}:`);
        return { method: "POST", url: `${L2}/inbox`, headers, body: new TextEncoder().encode(body) };
      }
      await refused(
        rfc9421(["@method", "@path", "host", "date", "content-digest"], "l2.test"),
        null,
        /covers neither @target-uri nor @authority|covers neither @authority nor @target-uri/,
      );
      await refused(rfc9421(["@method", "@request-target", "content-digest"], "l2.test"), null, /covers neither/);
      for (const components of [
        ["@method", "@target-uri", "content-digest"],
        ["@method", "@authority", "@path", "content-digest"],
        ["@method", "@target-uri", "@authority", "host", "date", "content-digest"],
      ]) {
        expect(await receiveActivity(t.ctx, rfc9421(components, "l2.test"), null), components.join(" ")).toEqual({ result: "ignored", type: "Like" });
        await refused(rfc9421(components, "other.example"), null, "for another server");
      }
    });
  });
});
