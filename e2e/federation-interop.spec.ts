// Interop with a real, independent ActivityPub server (protocols.md §2, product.md §4): a Fedify
// 2.3.6 peer in the test process on 127.0.0.1 (support/fedify-peer.ts), signature verification on,
// run once per HTTP signature spec the peer knocks with first. The peer discovers our actor, follows
// it (we verify, store the follower and deliver a signed Accept, which Fedify verifies), receives
// the Create of a registered asset (Fedify verifies its HTTP signature and its FEP-8b32 proof),
// walks our outbox and followers, and unfollows. Then hostile requests, signed with the peer's keys
// by Fedify's signRequest (or by hand where Fedify cannot make the broken signature), at our inboxes.
//
// For "draft-cavage-http-signatures-12" the peer's front also refuses RFC 9421 (a cavage-only
// server), so our deliveries must double-knock: RFC 9421 first, then draft-cavage.
import { createHash, KeyObject, randomUUID, sign as rsaSign } from "node:crypto";
import { signRequest, verifyObject, verifyProof, type HttpMessageSignaturesSpec, type Rfc9421SignRequestOptions } from "@fedify/fedify";
import { Create, DataIntegrityProof, Follow, Image, Multikey, Person, traverseCollection, Undo, type Object as APObject } from "@fedify/vocab";
import { lookupWebFinger } from "@fedify/webfinger";
import { Temporal } from "@js-temporal/polyfill";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer } from "./support/api";
import { startFedifyPeer, peerId, waitFor, type FedifyPeer, type InboxPost, type PeerActor } from "./support/fedify-peer";
import { artDagSignatureVerifies, createAsset, newUser, publicKeyOf, uniqueName, type Activity, type User } from "./support/registry";
import { MAIN } from "./support/servers";

const AS = "https://www.w3.org/ns/activitystreams";
const DATA_INTEGRITY = "https://w3id.org/security/data-integrity/v1";
const HOST = new URL(MAIN.url).host;
const KNOCKS: HttpMessageSignaturesSpec[] = ["rfc9421", "draft-cavage-http-signatures-12"];

const actorOf = (username: string) => `${MAIN.url}/users/${username}`;

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** Sends a signed (or deliberately broken) request to our server as built, with fetch, and reads the answer. */
async function send(request: Request): Promise<Answer> {
  const res = await fetch(request);
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** An error answer: the status, and our `{error, message}` body. */
function expectRefused(answer: Answer, status: number, error: string): void {
  expect(answer.status, answer.text.slice(0, 400)).toBe(status);
  expect(answer.json, answer.text.slice(0, 400)).toMatchObject({ error, message: expect.any(String) });
}

async function followersOf(request: APIRequestContext, username: string): Promise<{ total: number; items: string[] }> {
  const headers = { accept: "application/activity+json" };
  const collection = await request.get(`/users/${username}/followers`, { headers });
  expect(collection.status()).toBe(200);
  const page = await request.get(`/users/${username}/followers?page=true`, { headers });
  expect(page.status()).toBe(200);
  return { total: ((await collection.json()) as { totalItems: number }).totalItems, items: ((await page.json()) as { orderedItems: string[] }).orderedItems };
}

/** The deliveries our server recorded for an activity (GET /activities/{id}/deliveries). */
async function deliveriesOf(
  request: APIRequestContext,
  activityId: string,
): Promise<{ target: string; state: string; attempts: number; last_status: number | null }[]> {
  const res = await request.get(`/activities/${activityId}/deliveries`, { headers: { accept: "application/json" } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { deliveries: { target: string; state: string; attempts: number; last_status: number | null }[] }).deliveries;
}

/**
 * What the peer's front recorded for the delivery of activity `id`: every POST, in order. The last
 * one must be the accepted one, verified by Fedify's verifyRequestDetailed with our actor's key; with
 * a cavage-only front, an RFC 9421 attempt refused with 401 comes first (our double knock).
 */
function expectDeliveredSigned(peer: FedifyPeer, id: string, actor: string, path: string): InboxPost {
  const posts = peer.inboxPosts.filter((p) => p.json?.id === id);
  const summary = JSON.stringify(
    posts.map((p) => ({ path: p.path, spec: p.spec, front: p.refusedByFront, sig: p.httpSignature, status: p.status, answer: p.responseText.slice(0, 200) })),
  );
  expect(posts.length, summary).toBeGreaterThan(0);
  const last = posts[posts.length - 1];
  expect(last.path, summary).toBe(path);
  expect(last.status, summary).toBe(202);
  expect(last.httpSignature, summary).toEqual({ verified: true, keyId: `${actor}#main-key`, owner: actor });
  expect(last.keyId).toBe(`${actor}#main-key`);
  if (peer.firstKnock === "rfc9421") {
    // Fedify accepts RFC 9421, so our first knock is the one that lands.
    expect(
      posts.map((p) => [p.spec, p.status]),
      summary,
    ).toEqual([["rfc9421", 202]]);
    expect(last.headers["content-digest"]).toMatch(/^sha-256=:[A-Za-z0-9+/]+=*:$/);
  } else {
    expect(
      posts.map((p) => [p.spec, p.refusedByFront, p.status]),
      summary,
    ).toEqual([
      ["rfc9421", true, 401],
      ["draft-cavage", false, 202],
    ]);
    expect(last.headers.signature).toMatch(/algorithm="rsa-sha256"/);
    expect(last.headers.signature).toMatch(/headers="\(request-target\) host date digest"/);
    expect(last.headers.digest).toMatch(/^SHA-256=[A-Za-z0-9+/]+=*$/);
  }
  return last;
}

for (const knock of KNOCKS) {
  test.describe(`Fedify peer, first knock ${knock}`, () => {
    let peer: FedifyPeer;
    const loaderOptions = () => ({ documentLoader: peer.documentLoader, contextLoader: peer.documentLoader });

    test.beforeAll(async () => {
      peer = await startFedifyPeer({ firstKnock: knock, refuseRfc9421: knock === "draft-cavage-http-signatures-12" });
    });
    test.afterAll(async () => {
      await peer?.close();
    });

    test.describe("follow, deliver, unfollow", () => {
      test.describe.configure({ mode: "serial" });
      let user: User;
      let actor: string;
      let person: Person;
      let follow: Follow;
      let created: { asset: { content_hash: string; name: string; activity_id: string }; activity: Activity };

      test.beforeAll(async ({ request }) => {
        user = await newUser(request, "peer");
        actor = actorOf(user.username);
      });

      test("the peer finds our actor by WebFinger (actor URL) and lookupObject, keys included", async () => {
        const jrd = await lookupWebFinger(actor, { allowPrivateAddress: true });
        expect(jrd?.subject).toBe(`acct:${user.username}@${HOST}`);
        expect(jrd?.aliases).toEqual([actor]);
        expect(jrd?.links?.find((l) => l.rel === "self")).toMatchObject({ type: "application/activity+json", href: actor });
        // (acct: lookups always use https in Fedify, so acct:user@localhost:8311 cannot resolve here.)

        const found = await peer.ctx.lookupObject(actor);
        expect(found).toBeInstanceOf(Person);
        person = found as Person;
        expect(person.id?.href).toBe(actor);
        expect(person.preferredUsername).toBe(user.username);
        expect(person.inboxId?.href).toBe(`${actor}/inbox`);
        expect(person.endpoints?.sharedInbox?.href).toBe(`${MAIN.url}/inbox`);
        expect(person.outboxId?.href).toBe(`${actor}/outbox`);
        expect(person.followersId?.href).toBe(`${actor}/followers`);
        const key = await person.getPublicKey(loaderOptions());
        expect(key?.id?.href).toBe(`${actor}#main-key`);
        expect(key?.ownerId?.href).toBe(actor);
        expect((await key?.publicKey)?.algorithm.name).toBe("RSASSA-PKCS1-v1_5");
        const methods: Multikey[] = [];
        for await (const m of person.getAssertionMethods(loaderOptions())) methods.push(m);
        expect(methods.map((m) => m.id?.href)).toEqual([`${actor}#ed25519-key`]);
        expect(methods[0].controllerId?.href).toBe(actor);
        expect(methods[0].publicKey?.algorithm.name).toBe("Ed25519");
      });

      test("the peer's signed Follow is verified and stored, and our signed Accept reaches it and verifies", async ({ request }) => {
        expect(person, "discovery ran").toBeDefined();
        const bob = peer.actorUri("bob");
        follow = new Follow({ id: peerId(peer, "follows"), actor: bob, object: person.id });
        // No queue on the peer: sendActivity posts now and throws unless we answer 2xx.
        await peer.ctx.sendActivity({ identifier: "bob" }, person, follow);
        // Fedify remembers the spec that worked per origin: its first knock was accepted (no fallback).
        expect(await peer.rememberedSpec(MAIN.url)).toBe(knock);

        expect(await followersOf(request, user.username)).toEqual({ total: 1, items: [bob.href] });

        const accept = await waitFor("the Accept at the peer", () => peer.accepts.find((a) => a.objectId?.href === follow.id!.href));
        expect(accept.actorId?.href).toBe(actor);
        const post = expectDeliveredSigned(peer, accept.id!.href, actor, "/users/bob/inbox");
        expect(post.json).toMatchObject({ type: "Accept", actor, object: { id: follow.id!.href, type: "Follow", actor: bob.href, object: actor } });
      });

      test("(control) the peer does verify: an Accept forged in our actor's name is refused with 401", async () => {
        // Signed with a key that is not our actor's, under our actor's keyId: Fedify fetches our key and says no.
        const forged = {
          "@context": AS,
          id: `${actor}#accepts/${randomUUID()}`,
          type: "Accept",
          actor,
          object: { id: peerId(peer, "follows").href, type: "Follow", actor: peer.actorUri("bob").href, object: actor },
        };
        const before = peer.accepts.length;
        const unsigned = new Request(`${peer.origin}/users/bob/inbox`, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: JSON.stringify(forged),
        });
        const res = await fetch(await signRequest(unsigned, peer.keys("mallory").rsa.privateKey, new URL(`${actor}#main-key`), { spec: knock }));
        expect(res.status).toBe(401);
        const post = peer.inboxPosts.find((p) => p.json?.id === forged.id);
        expect(post?.httpSignature).toMatchObject({ verified: false });
        expect(peer.accepts.length).toBe(before);
      });

      test("a registered asset's Create reaches the peer: HTTP signature and FEP-8b32 proof verify with Fedify", async ({ request }) => {
        expect(follow, "the follow ran").toBeDefined();
        created = await createAsset(request, user, { name: uniqueName("peer"), tags: ["interop"], metadata: { knock } });
        const { asset, activity } = created;
        const received = await waitFor("the Create at the peer", () => peer.creates.find((c) => c.activity.id?.href === activity.id));
        expect(received.activity.actorId?.href).toBe(actor);
        expect(received.object).toBeInstanceOf(Image);
        const object = received.object as APObject;
        expect(object.id?.href).toBe(`${MAIN.url}/objects/${asset.content_hash}`);
        expect(object.name?.toString()).toBe(asset.name);
        expect(object.attributionId?.href).toBe(actor);

        // One delivery, to the peer's shared inbox, signed by the actor's RSA key and verified by Fedify.
        const post = expectDeliveredSigned(peer, activity.id, actor, "/inbox");
        const delivered = post.json as Activity;
        // The bytes delivered are the activity as stored and served.
        expect(delivered).toEqual(activity);
        expect(delivered["@context"]).toEqual([AS, DATA_INTEGRITY]);

        // FEP-8b32 (protocols.md §1): the proof verifies with Fedify once `signature` is removed, as
        // Fedify's inbox does; our actor's Multikey (assertionMethod) is fetched from our server.
        const { signature, ...withoutSignature } = delivered;
        expect(signature.type).toBe("RsaSignature2017");
        const options = loaderOptions();
        const verified = await verifyObject(Create, withoutSignature, options);
        expect(verified, "verifyObject").not.toBeNull();
        expect(verified?.id?.href).toBe(activity.id);
        const proofJson = delivered.proof as Record<string, unknown>;
        expect(proofJson).toMatchObject({
          type: "DataIntegrityProof",
          cryptosuite: "eddsa-jcs-2022",
          verificationMethod: `${actor}#ed25519-key`,
          proofPurpose: "assertionMethod",
        });
        const proof = await DataIntegrityProof.fromJsonLd({ "@context": DATA_INTEGRITY, ...proofJson }, options);
        const key = await verifyProof(withoutSignature, proof, options);
        expect(key?.id?.href).toBe(`${actor}#ed25519-key`);
        expect(key?.controllerId?.href).toBe(actor);
        // …and not over anything else: with `signature` left in, or with the object changed.
        expect(await verifyProof(delivered, proof, options)).toBeNull();
        const tampered = { ...withoutSignature, object: { ...delivered.object, name: "someone-elses" } };
        expect(await verifyProof(tampered, proof, options)).toBeNull();
        expect(await verifyObject(Create, tampered, options)).toBeNull();
        // The Art DAG signature (protocols.md §1) travels unchanged and verifies too.
        expect(artDagSignatureVerifies(delivered, publicKeyOf(user.username))).toBe(true);

        // Our side records it: one delivery to the shared inbox, delivered.
        const deliveries = await waitFor("the delivery marked delivered", async () => {
          const rows = await deliveriesOf(request, asset.activity_id);
          return rows.length === 1 && rows[0].state === "delivered" ? rows : undefined;
        });
        expect(deliveries).toEqual([expect.objectContaining({ target: `${peer.origin}/inbox`, state: "delivered", attempts: 1, last_status: 202 })]);
      });

      test("the peer walks our outbox and followers with traverseCollection", async () => {
        expect(created, "the Create ran").toBeDefined();
        const options = loaderOptions();
        const outbox = await person.getOutbox(options);
        expect(outbox?.totalItems).toBe(1);
        const activities: APObject[] = [];
        for await (const item of traverseCollection(outbox!, options)) activities.push(item as APObject);
        expect(activities.map((a) => a.id?.href)).toEqual([created.activity.id]);
        expect(activities[0]).toBeInstanceOf(Create);

        const followers = await person.getFollowers(options);
        expect(followers?.totalItems).toBe(1);
        const ids: string[] = [];
        for await (const item of traverseCollection(followers!, options)) ids.push((item as APObject).id?.href ?? String(item));
        expect(ids).toEqual([peer.actorUri("bob").href]);
      });

      test("the peer's Undo{Follow} (to our shared inbox) removes the follower; later Creates go nowhere", async ({ request }) => {
        expect(follow, "the follow ran").toBeDefined();
        const undo = new Undo({ id: peerId(peer, "undos"), actor: peer.actorUri("bob"), object: follow });
        await peer.ctx.sendActivity({ identifier: "bob" }, person, undo, { preferSharedInbox: true });
        expect(await followersOf(request, user.username)).toEqual({ total: 0, items: [] });

        const { asset } = await createAsset(request, user);
        expect(await deliveriesOf(request, asset.activity_id)).toEqual([]);
      });
    });

    test.describe("hostile requests at our inboxes", () => {
      let target: User;
      test.beforeAll(async ({ request }) => {
        target = await newUser(request, "hostile");
      });

      const inbox = () => `/users/${target.username}/inbox`;
      const activityFrom = (from: PeerActor, type: string, object: unknown, id = `${peer.origin}/${type.toLowerCase()}s/${randomUUID()}`) => ({
        "@context": AS,
        id,
        type,
        actor: peer.actorUri(from).href,
        object,
      });
      const followOf = (from: PeerActor, username = target.username) => activityFrom(from, "Follow", actorOf(username));

      /** A POST to our server signed by a peer actor's RSA key with Fedify's signRequest, in this run's spec. */
      async function signed(
        path: string,
        body: unknown,
        options: { signer?: PeerActor; time?: Date; rfc9421?: Rfc9421SignRequestOptions } = {},
      ): Promise<Request> {
        const signer = options.signer ?? "carol";
        const request = new Request(`${MAIN.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/activity+json", accept: "application/activity+json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
        return signRequest(request, peer.keys(signer).rsa.privateKey, peer.keyId(signer), {
          spec: knock,
          currentTime: options.time ? Temporal.Instant.fromEpochMilliseconds(options.time.getTime()) : undefined,
          rfc9421: options.rfc9421,
        });
      }

      test("an unsigned POST is refused with 401 at the user's inbox and the shared inbox", async ({ request }) => {
        for (const path of [inbox(), "/inbox"]) {
          const body = JSON.stringify(followOf("carol"));
          const digest = `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
          const answer = await send(
            new Request(`${MAIN.url}${path}`, {
              method: "POST",
              headers: { "content-type": "application/activity+json", digest, date: new Date().toUTCString() },
              body,
            }),
          );
          expectRefused(answer, 401, "unauthorized");
        }
        expect((await followersOf(request, target.username)).total).toBe(0);
      });

      test("hostile text in a signed activity (NUL, lone surrogates, a __proto__ key) is refused with 400 naming the field; nothing is kept", async ({
        request,
      }) => {
        const inboxTotal = async () => {
          const res = await request.get(inbox(), { headers: { ...bearer(target.token), accept: "application/activity+json" } });
          expect(res.status()).toBe(200);
          return ((await res.json()) as { totalItems: number }).totalItems;
        };
        const before = await inboxTotal();
        const cases: [string, Record<string, unknown>, string, RegExp][] = [
          ["NUL in the id", { ...followOf("carol"), id: `${peer.origin}/follows/a\u0000b` }, "id", /NUL/],
          ["a lone surrogate in the type", { ...followOf("carol"), type: "Follow\ud800" }, "type", /surrogate/],
          ["NUL deep in the object", activityFrom("carol", "Like", { id: `${peer.origin}/notes/1`, content: ["x", "y\u0000"] }), "object.content.1", /NUL/],
          ["a lone surrogate in a key", { ...followOf("carol"), ["x\udc00"]: 1 }, "body", /key/],
          [
            "a __proto__ key",
            JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(followOf("carol")).slice(1)}`) as Record<string, unknown>,
            "body",
            /__proto__/,
          ],
        ];
        for (const path of [inbox(), "/inbox"]) {
          for (const [label, activity, field, says] of cases) {
            const answer = await send(await signed(path, JSON.stringify(activity)));
            expectRefused(answer, 400, "invalid_request");
            expect(String(answer.json?.message), `${path} ${label}`).toMatch(new RegExp(`^${field.replace(/\./g, "\\.")}: `));
            expect(String(answer.json?.message), `${path} ${label}`).toMatch(says);
          }
        }
        expect((await followersOf(request, target.username)).total).toBe(0);
        expect(await inboxTotal()).toBe(before);
      });

      test("a signature by a key whose owner is not the activity's actor is refused with 401", async ({ request }) => {
        // Mallory's valid signature over a Follow that claims to be Carol's.
        for (const path of [inbox(), "/inbox"]) {
          expectRefused(await send(await signed(path, followOf("carol"), { signer: "mallory" })), 401, "unauthorized");
        }
        expect((await followersOf(request, target.username)).total).toBe(0);
      });

      test("a body changed after signing is refused with 401", async ({ request }) => {
        const original = followOf("carol");
        const good = await signed(inbox(), original);
        const other = JSON.stringify({ ...original, id: `${original.id}-changed` });
        expectRefused(await send(new Request(good.url, { method: "POST", headers: good.headers, body: other })), 401, "unauthorized");
        // Same length, one character different.
        const flipped = JSON.stringify(original).replace("Follow", "Fallow");
        expectRefused(await send(new Request(good.url, { method: "POST", headers: good.headers, body: flipped })), 401, "unauthorized");
        expect((await followersOf(request, target.username)).total).toBe(0);
      });

      test("a signature dated 2 hours off (either way) is refused with 401", async () => {
        for (const offset of [-2 * 3600_000, 2 * 3600_000]) {
          const req = await signed(inbox(), followOf("carol"), { time: new Date(Date.now() + offset) });
          expectRefused(await send(req), 401, "unauthorized");
        }
        // The same signer with the current time is fine (a Like: nothing to undo afterwards).
        expect((await send(await signed(inbox(), activityFrom("carol", "Like", actorOf(target.username))))).status).toBe(202);
      });

      if (knock === "draft-cavage-http-signatures-12") {
        // Fedify always signs (request-target), so this signature is made by hand (RSA-SHA256 over
        // the cavage signing string); the same code with (request-target) is the control.
        async function cavageSigned(path: string, body: string, covered: string[]): Promise<Request> {
          const url = new URL(`${MAIN.url}${path}`);
          const headers: Record<string, string> = {
            "content-type": "application/activity+json",
            host: url.host,
            date: new Date().toUTCString(),
            digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
          };
          const lines = covered.map((h) => (h === "(request-target)" ? `(request-target): post ${url.pathname}` : `${h}: ${headers[h]}`));
          const privateKey = KeyObject.from(peer.keys("carol").rsa.privateKey);
          const signature = rsaSign("sha256", Buffer.from(lines.join("\n")), privateKey).toString("base64");
          headers.signature = `keyId="${peer.keyId("carol").href}",algorithm="rsa-sha256",headers="${covered.join(" ")}",signature="${signature}"`;
          return new Request(url, { method: "POST", headers, body });
        }

        test("a draft-cavage signature that leaves out (request-target) is refused with 401", async () => {
          const like = () => JSON.stringify(activityFrom("carol", "Like", actorOf(target.username)));
          const control = await send(await cavageSigned(inbox(), like(), ["(request-target)", "host", "date", "digest"]));
          expect(control.status, control.text).toBe(202);
          expectRefused(await send(await cavageSigned(inbox(), like(), ["host", "date", "digest"])), 401, "unauthorized");
        });
      } else {
        test("an RFC 9421 signature that leaves out @method and the target URI is refused with 401", async () => {
          const like = () => activityFrom("carol", "Like", actorOf(target.username));
          const components = (names: string[]) => ({ components: names.map((value) => ({ value, params: {} })) });
          // Fedify adds content-digest to the covered components whenever there is a body.
          const control = await send(await signed(inbox(), like(), { rfc9421: components(["@method", "@target-uri", "date"]) }));
          expect(control.status, control.text).toBe(202);
          expectRefused(await send(await signed(inbox(), like(), { rfc9421: components(["@authority", "date"]) })), 401, "unauthorized");
        });
      }

      test("a replayed activity (same id) is a no-op: 202 and no second follower", async ({ request }) => {
        const follow = followOf("carol");
        const first = await signed(inbox(), follow);
        const again = first.clone();
        const answer = await send(first);
        expect(answer.status, answer.text).toBe(202);
        expect(answer.json).toEqual({ result: "followed", follower: peer.actorUri("carol").href, username: target.username });
        // The very same request again, then the same activity freshly signed, then at the shared inbox.
        expect((await send(again)).json).toEqual({ result: "duplicate" });
        const resigned = await send(await signed(inbox(), follow));
        expect([resigned.status, resigned.json]).toEqual([202, { result: "duplicate" }]);
        const shared = await send(await signed("/inbox", follow));
        expect([shared.status, shared.json]).toEqual([202, { result: "duplicate" }]);
        expect(await followersOf(request, target.username)).toEqual({ total: 1, items: [peer.actorUri("carol").href] });
      });

      test("a 2 MiB body is refused with 413", async () => {
        const big = { ...activityFrom("carol", "Like", actorOf(target.username)), content: "x".repeat(2 * 1024 * 1024) };
        expectRefused(await send(await signed(inbox(), big)), 413, "payload_too_large");
      });

      test("malformed JSON under a valid signature is refused with 400", async () => {
        for (const path of [inbox(), "/inbox"]) {
          expectRefused(await send(await signed(path, '{"type": "Follow", "actor": ')), 400, "malformed_json");
        }
      });

      test("an unknown user's inbox answers 404", async () => {
        const nobody = `nobody_${randomUUID().slice(0, 8)}`;
        expectRefused(await send(await signed(`/users/${nobody}/inbox`, followOf("carol", nobody))), 404, "not_found");
      });

      test("an unsupported activity type (Like) is accepted and ignored (202) at both inboxes", async ({ request }) => {
        for (const path of [inbox(), "/inbox"]) {
          const answer = await send(await signed(path, activityFrom("carol", "Like", actorOf(target.username))));
          expect(answer.status, answer.text).toBe(202);
          expect(answer.json).toEqual({ result: "ignored", type: "Like" });
        }
        // And nothing about followers changed (the replay test's Follow aside).
        expect((await followersOf(request, target.username)).items.every((a) => a === peer.actorUri("carol").href)).toBe(true);
      });

      test("An inbox is read only by its owner, and a token is no substitute for a signature on a POST", async () => {
        const body = JSON.stringify(followOf("carol"));
        const withToken = await send(
          new Request(`${MAIN.url}${inbox()}`, { method: "POST", headers: { "content-type": "application/activity+json", ...bearer(target.token) }, body }),
        );
        expectRefused(withToken, 401, "unauthorized");
        const get = await fetch(`${MAIN.url}${inbox()}`, { headers: { accept: "application/activity+json" } });
        expect(get.status).toBe(401);
        expect(await get.json()).toMatchObject({ error: "unauthorized" });
      });
    });
  });
}
