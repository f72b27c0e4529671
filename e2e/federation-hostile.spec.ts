// Hostile peers against the main server (protocols.md §2; issue #12 items 1 and 2): real HTTP
// servers on loopback in the test process (lib/testing/ap-peer.ts) serve their own actor and key
// documents — `home` hosts honest actors, `evil` the attacker's — and the requests are signed by
// Fedify 2.3.6's signRequest (an independent signer), or by hand where Fedify cannot make the
// broken signature. A key counts for an actor only when that actor's own document lists it, and
// a signature must be made for this server's host.
import { createHash, randomUUID, sign as rsaSign } from "node:crypto";
import http from "node:http";
import { generateCryptoKeyPair, signRequest, type HttpMessageSignaturesSpec } from "@fedify/fedify";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { personDocument, startApPeer, type ApPeer } from "../lib/testing/ap-peer";
import { newUser, type User } from "./support/registry";
import { MAIN } from "./support/servers";

const AS = "https://www.w3.org/ns/activitystreams";
const HOST = new URL(MAIN.url).host;
const SPECS: HttpMessageSignaturesSpec[] = ["draft-cavage-http-signatures-12", "rfc9421"];

interface Answer {
  status: number;
  json: { error?: string; message?: string; result?: string } | undefined;
  text: string;
}

interface Pair {
  keys: CryptoKeyPair;
  pem: string;
}

async function rsaPair(): Promise<Pair> {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", keys.publicKey)).toString("base64");
  return { keys, pem: `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n` };
}

/**
 * POSTs with node:http, so the Host header is exactly the one given (fetch always sends the URL's
 * host): how a request signed for another server reaches us when it is replayed at our address.
 */
function postRaw(path: string, headers: Headers, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: MAIN.port, path, method: "POST", headers: Object.fromEntries(headers.entries()) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: Answer["json"];
        try {
          json = JSON.parse(text) as Answer["json"];
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Signs a POST of `activity` to our `path` as addressed to `host` (default: ours) with Fedify, and sends it with Host = `arrivedHost`. */
async function send(
  path: string,
  activity: object,
  key: { privateKey: CryptoKey; keyId: string },
  spec: HttpMessageSignaturesSpec,
  o: { signedFor?: string; arrivedHost?: string; components?: string[] } = {},
): Promise<Answer> {
  const body = JSON.stringify({ "@context": AS, ...activity });
  const request = new Request(`http://${o.signedFor ?? HOST}${path}`, { method: "POST", headers: { "content-type": "application/activity+json" }, body });
  const signed = await signRequest(request, key.privateKey, new URL(key.keyId), {
    spec,
    rfc9421: o.components ? { components: o.components.map((value) => ({ value, params: {} })) } : undefined,
  });
  const headers = new Headers(signed.headers);
  headers.set("host", o.arrivedHost ?? HOST);
  return postRaw(path, headers, body);
}

function expectRefused(answer: Answer, message: string | RegExp): void {
  expect(answer.status, answer.text.slice(0, 400)).toBe(401);
  expect(answer.json).toMatchObject({ error: "unauthorized", message: expect.any(String) });
  expect(answer.json?.message).toMatch(message);
}

async function followersOf(request: APIRequestContext, username: string): Promise<string[]> {
  const page = await request.get(`/users/${username}/followers?page=true`, { headers: { accept: "application/activity+json" } });
  expect(page.status()).toBe(200);
  return ((await page.json()) as { orderedItems: string[] }).orderedItems;
}

test.describe("hostile peers at our inboxes", () => {
  let home: ApPeer;
  let evil: ApPeer;
  let target: User;
  let bystander: User;
  let victim: string;
  let victimPair: Pair;
  let malloryPair: Pair;

  test.beforeAll(async ({ request }) => {
    [home, evil] = await Promise.all([startApPeer(), startApPeer()]);
    target = await newUser(request, "hostiletarget");
    bystander = await newUser(request, "bystander");
    victimPair = await rsaPair();
    malloryPair = await rsaPair();
    victim = `${home.origin}/users/victim`;
    home.serve("/users/victim", { json: personDocument(victim, victimPair.pem) });
    evil.serve("/users/mallory", { json: personDocument(`${evil.origin}/users/mallory`, malloryPair.pem) });
  });
  test.afterAll(async () => {
    await Promise.all([home?.close(), evil?.close()]);
  });

  const inbox = () => `/users/${target.username}/inbox`;
  const actorOf = (username: string) => `${MAIN.url}/users/${username}`;
  const mallory = () => ({ privateKey: malloryPair.keys.privateKey, keyId: `${evil.origin}/users/mallory#main-key` });
  const like = (actor: string) => ({ id: `${actor}/likes/${randomUUID()}`, type: "Like", actor, object: actorOf(target.username) });

  test("a key document that names a victim as its owner signs no Follow and no Undo for it", async ({ request }) => {
    // The victim really follows the target (signed with the victim's own key): the control, and what a forged Undo would take away.
    const real = { privateKey: victimPair.keys.privateKey, keyId: `${victim}#main-key` };
    const follow = { id: `${victim}/follows/${randomUUID()}`, type: "Follow", actor: victim, object: actorOf(target.username) };
    const ok = await send(inbox(), follow, real, "rfc9421");
    expect([ok.status, ok.json], ok.text).toEqual([202, { result: "followed", follower: victim, username: target.username }]);

    for (const spec of SPECS) {
      for (const field of ["owner", "controller"]) {
        const keyId = `${evil.origin}/keys/${field}-${spec}`;
        evil.serve(`/keys/${field}-${spec}`, { json: { id: keyId, type: "CryptographicKey", [field]: victim, publicKeyPem: malloryPair.pem } });
        const forged = { privateKey: malloryPair.keys.privateKey, keyId };
        const asked = home.fetched("/users/victim");
        const fakeFollow = { id: `${victim}/follows/${randomUUID()}`, type: "Follow", actor: victim, object: actorOf(bystander.username) };
        expectRefused(await send(`/users/${bystander.username}/inbox`, fakeFollow, forged, spec), `${victim} does not list the key ${keyId}`);
        const undo = { id: `${victim}/undos/${randomUUID()}`, type: "Undo", actor: victim, object: follow };
        expectRefused(await send("/inbox", undo, forged, spec), `${victim} does not list the key ${keyId}`);
        // The claim was put to the victim's own document, which does not list that key.
        expect(home.fetched("/users/victim")).toBe(asked + 2);
      }
    }
    expect(await followersOf(request, target.username)).toEqual([victim]);
    expect(await followersOf(request, bystander.username)).toEqual([]);
  });

  test("a key document that names one of our users as its owner signs nothing for them", async ({ request }) => {
    const ours = actorOf(bystander.username);
    const keyId = `${evil.origin}/keys/for-ours`;
    evil.serve("/keys/for-ours", { json: { id: keyId, owner: ours, publicKeyPem: malloryPair.pem } });
    for (const spec of SPECS) {
      const follow = { id: `${ours}#follows/${randomUUID()}`, type: "Follow", actor: ours, object: actorOf(target.username) };
      expectRefused(await send(inbox(), follow, { privateKey: malloryPair.keys.privateKey, keyId }, spec), `${ours} does not list the key ${keyId}`);
      // A keyId on our own host that the user's document does not list.
      expectRefused(
        await send(
          inbox(),
          { ...follow, id: `${ours}#follows/${randomUUID()}` },
          { privateKey: malloryPair.keys.privateKey, keyId: `${ours}#spare-key` },
          spec,
        ),
        `does not hold the key ${ours}#spare-key`,
      );
    }
    expect(await followersOf(request, target.username)).not.toContain(ours);
  });

  test("an actor document whose id is not its URL, or one reached by a redirect to another origin, proves nothing", async () => {
    const keyId = `${evil.origin}/users/imposter#main-key`;
    evil.serve("/users/imposter", {
      json: { ...personDocument(victim, malloryPair.pem), publicKey: { id: keyId, owner: victim, publicKeyPem: malloryPair.pem } },
    });
    const redirected = `${home.origin}/users/redirected`;
    const redirectedKey = `${evil.origin}/keys/redirected`;
    evil.serve("/keys/redirected", { json: { id: redirectedKey, owner: redirected, publicKeyPem: malloryPair.pem } });
    home.serve("/users/redirected", { redirect: `${evil.origin}/users/copy` });
    evil.serve("/users/copy", {
      json: { ...personDocument(redirected, malloryPair.pem), publicKey: { id: redirectedKey, owner: redirected, publicKeyPem: malloryPair.pem } },
    });
    for (const spec of SPECS) {
      expectRefused(await send(inbox(), like(victim), { privateKey: malloryPair.keys.privateKey, keyId }, spec), `${victim} does not list the key ${keyId}`);
      expectRefused(
        await send(inbox(), like(redirected), { privateKey: malloryPair.keys.privateKey, keyId: redirectedKey }, spec),
        "redirected to another origin",
      );
    }
    expect(evil.fetched("/users/copy")).toBe(0);
  });

  test("an object attributed to someone else is refused under the signer's own key", async () => {
    const m = `${evil.origin}/users/mallory`;
    for (const spec of SPECS) {
      const create = {
        id: `${m}/creates/${randomUUID()}`,
        type: "Create",
        actor: m,
        object: { id: `${m}/notes/${randomUUID()}`, type: "Note", attributedTo: [m, victim] },
      };
      expectRefused(await send(inbox(), create, mallory(), spec), `The embedded object's attributedTo is ${victim}, not the signing actor ${m}.`);
      const own = { ...create, id: `${m}/creates/${randomUUID()}`, object: { ...create.object, attributedTo: { id: m } } };
      const answer = await send(inbox(), own, mallory(), spec);
      expect([answer.status, answer.json], answer.text).toEqual([202, { result: "ignored", type: "Create" }]);
    }
  });

  test("a request signed for another host is refused, and so is one that does not sign the host", async () => {
    const m = `${evil.origin}/users/mallory`;
    for (const spec of SPECS) {
      // Replayed at our address with the Host it was signed for…
      expectRefused(
        await send(inbox(), like(m), mallory(), spec, { signedFor: "other.example", arrivedHost: "other.example" }),
        "The HTTP signature is for another server (the signature is for host other.example, not for " + HOST + ").",
      );
      // …or with ours.
      expectRefused(await send(inbox(), like(m), mallory(), spec, { signedFor: "other.example" }), "does not verify");
      // Behind a proxy the Host may be internal: a signature for our domain still counts.
      const proxied = await send(inbox(), like(m), mallory(), spec, { arrivedHost: "127.0.0.1:3999" });
      expect([proxied.status, proxied.json], proxied.text).toEqual([202, { result: "ignored", type: "Like" }]);
    }
    // RFC 9421 covering neither @authority nor @target-uri.
    expectRefused(await send(inbox(), like(m), mallory(), "rfc9421", { components: ["@method", "@path", "date"] }), /covers neither/);
    // draft-cavage without host (by hand: Fedify signs every header it sends).
    const body = JSON.stringify(like(m));
    const headers = new Headers({
      "content-type": "application/activity+json",
      host: HOST,
      date: new Date().toUTCString(),
      digest: `SHA-256=${createHash("sha256").update(body).digest("base64")}`,
    });
    const covered = ["(request-target)", "date", "digest"];
    const text = covered.map((h) => (h === "(request-target)" ? `(request-target): post ${inbox()}` : `${h}: ${headers.get(h)}`)).join("\n");
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", malloryPair.keys.privateKey));
    const signature = rsaSign("sha256", Buffer.from(text), { key: pkcs8, format: "der", type: "pkcs8" }).toString("base64");
    headers.set("signature", `keyId="${mallory().keyId}",algorithm="rsa-sha256",headers="${covered.join(" ")}",signature="${signature}"`);
    expectRefused(await postRaw(inbox(), headers, body), `the signature does not cover host (it must name this server, ${HOST})`);
  });
});
