import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkBodyDigest } from "./digest";
import { signCavage } from "./draft-cavage";
import { detectSignatureSpec, signRequest, verifyRequestSignature } from "./request-signature";
import type { SignedRequest, SignatureSpec } from "./types";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ed = generateKeyPairSync("ed25519");
const mallory = generateKeyPairSync("rsa", { modulusLength: 2048 });
const NOW = new Date("2026-11-21T12:00:00Z");
const KEY_ID = "https://remote.example/users/bob#main-key";
const INBOX = "https://l2.example/users/alice/inbox";
const FOLLOW = JSON.stringify({ type: "Follow", actor: "https://remote.example/users/bob", object: "https://l2.example/users/alice" });

const keys = (publicKey: KeyObject) => ({ resolveKey: async (keyId: string) => (keyId === KEY_ID ? publicKey : null), now: NOW });

function post(body = FOLLOW, url = INBOX): SignedRequest {
  return { method: "POST", url, headers: new Headers({ "content-type": "application/activity+json" }), body };
}

/** Signs like a peer would and returns what arrives at the server: method, URL, headers. */
function arrive(request: SignedRequest, spec: SignatureSpec, privateKey: KeyObject = rsa.privateKey, now = NOW): SignedRequest {
  return { method: request.method, url: request.url, headers: signRequest(request, { privateKey, keyId: KEY_ID, spec, now }) };
}

describe("signRequest / verifyRequestSignature", () => {
  it("returns the whole header set to send, the request's own headers included", () => {
    const headers = signRequest(post(), { privateKey: rsa.privateKey, keyId: KEY_ID, spec: "draft-cavage", now: NOW });
    expect([...headers.keys()].sort()).toEqual(["content-type", "date", "digest", "signature"]);
    const h9421 = signRequest(post(), { privateKey: rsa.privateKey, keyId: KEY_ID, spec: "rfc9421", now: NOW });
    expect([...h9421.keys()].sort()).toEqual(["content-digest", "content-type", "date", "signature", "signature-input"]);
  });

  it("picks the scheme from the headers", () => {
    expect(detectSignatureSpec(arrive(post(), "rfc9421").headers)).toBe("rfc9421");
    expect(detectSignatureSpec(arrive(post(), "draft-cavage").headers)).toBe("draft-cavage");
    expect(detectSignatureSpec(new Headers())).toBeNull();
  });

  describe.each(["draft-cavage", "rfc9421"] as const)("%s", (spec) => {
    it.each([
      ["RSA", rsa],
      ["Ed25519", ed],
    ] as const)("round-trips a POST and a GET signed with %s", async (_, pair) => {
      const p = post();
      const arrived = arrive(p, spec, pair.privateKey);
      expect(await verifyRequestSignature(arrived, keys(pair.publicKey))).toMatchObject({ ok: true, spec, keyId: KEY_ID });
      expect(checkBodyDigest(arrived.headers, p.body ?? "").ok).toBe(true);
      const get: SignedRequest = { method: "GET", url: "https://remote.example/users/bob", headers: new Headers({ accept: "application/activity+json" }) };
      expect(await verifyRequestSignature(arrive(get, spec, pair.privateKey), keys(pair.publicKey))).toMatchObject({ ok: true, spec });
    });

    // ---- hostile requests: each must be refused, with the reason a caller can log ----

    it("refuses an unsigned request", async () => {
      const unsigned: SignedRequest = {
        method: "POST",
        url: INBOX,
        headers: new Headers({ "content-type": "application/activity+json", date: NOW.toUTCString() }),
      };
      expect(await verifyRequestSignature(unsigned, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "no_signature" });
    });

    it("refuses a signature made by a key other than keyId's", async () => {
      expect(await verifyRequestSignature(arrive(post(), spec, mallory.privateKey), keys(rsa.publicKey))).toMatchObject({
        ok: false,
        reason: "bad_signature",
        keyId: KEY_ID,
      });
    });

    it("catches a tampered body under a valid signature (digest mismatch)", async () => {
      const arrived = arrive(post(), spec);
      // The signature still verifies: it covers the digest header, not the bytes…
      expect(await verifyRequestSignature(arrived, keys(rsa.publicKey))).toMatchObject({ ok: true });
      // …so the caller checks the bytes it read against that digest.
      const evil = FOLLOW.replace("remote.example/users/bob", "evil.example/users/eve");
      expect(checkBodyDigest(arrived.headers, evil)).toMatchObject({ ok: false, reason: "mismatch" });
    });

    it("refuses a request signed 2 hours ago (or 2 hours ahead)", async () => {
      const twoHours = 2 * 3600_000;
      expect(await verifyRequestSignature(arrive(post(), spec, rsa.privateKey, new Date(NOW.getTime() - twoHours)), keys(rsa.publicKey))).toMatchObject({
        ok: false,
        reason: "date_out_of_window",
      });
      expect(await verifyRequestSignature(arrive(post(), spec, rsa.privateKey, new Date(NOW.getTime() + twoHours)), keys(rsa.publicKey))).toMatchObject({
        ok: false,
        reason: "date_out_of_window",
      });
    });

    it("refuses GET headers replayed on a POST (method changed)", async () => {
      const get: SignedRequest = { method: "GET", url: INBOX, headers: new Headers() };
      const replayed: SignedRequest = { ...arrive(get, spec), method: "POST" };
      // With a body, the missing digest already gives it away…
      expect(await verifyRequestSignature(replayed, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "missing_required_header" });
      // …and even when the body is not at stake, the method is bound by the signature.
      expect(await verifyRequestSignature(replayed, { ...keys(rsa.publicKey), hasBody: false })).toMatchObject({ ok: false, reason: "bad_signature" });
    });

    it("refuses a signature made for a different path", async () => {
      const arrived = arrive(post(), spec);
      const elsewhere: SignedRequest = { ...arrived, url: "https://l2.example/users/carol/inbox" };
      expect(await verifyRequestSignature(elsewhere, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "bad_signature" });
    });

    it("refuses a malformed signature header", async () => {
      const arrived = arrive(post(), spec);
      if (spec === "rfc9421") arrived.headers.set("signature-input", 'sig1=("@method" "@target-uri";created=1');
      else arrived.headers.set("signature", `keyId="${KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="abc`);
      expect(await verifyRequestSignature(arrived, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "malformed" });
    });

    it("refuses an unknown algorithm", async () => {
      const arrived = arrive(post(), spec);
      if (spec === "rfc9421") arrived.headers.set("signature-input", arrived.headers.get("signature-input")!.replace("rsa-v1_5-sha256", "rsa-v1_5-sha1"));
      else arrived.headers.set("signature", arrived.headers.get("signature")!.replace("rsa-sha256", "rsa-sha1"));
      expect(await verifyRequestSignature(arrived, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "unsupported_algorithm" });
    });

    it("refuses a keyId it cannot resolve", async () => {
      expect(await verifyRequestSignature(arrive(post(), spec), { resolveKey: async () => null, now: NOW })).toMatchObject({
        ok: false,
        reason: "unknown_key",
      });
    });
  });

  it("refuses a draft-cavage signature that leaves out (request-target)", async () => {
    const p = post();
    const added = signCavage(p, { privateKey: rsa.privateKey, keyId: KEY_ID, headers: ["host", "date", "digest"], now: NOW });
    const headers = new Headers(p.headers);
    for (const [k, v] of Object.entries(added)) headers.set(k, v);
    expect(await verifyRequestSignature({ method: "POST", url: INBOX, headers }, keys(rsa.publicKey))).toMatchObject({
      ok: false,
      reason: "missing_required_header",
      detail: "the signature does not cover (request-target)",
    });
  });

  it("says malformed when the request URL is not absolute", async () => {
    const arrived = arrive(post(), "draft-cavage");
    expect(await verifyRequestSignature({ ...arrived, url: "/users/alice/inbox" }, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "malformed" });
    const arrived9421 = arrive(post(), "rfc9421");
    expect(await verifyRequestSignature({ ...arrived9421, url: "/users/alice/inbox" }, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "malformed" });
  });
});

describe("expectedAuthority: the signature must be made for our host", () => {
  const ours = { ...keys(rsa.publicKey), expectedAuthority: "l2.example" };

  describe.each(["draft-cavage", "rfc9421"] as const)("%s", (spec) => {
    it("verifies with our authority whatever Host and URL the request arrived with (a proxy in front)", async () => {
      const signed = arrive(post(), spec);
      const behindProxy = { ...signed, url: "http://127.0.0.1:3000/users/alice/inbox", headers: new Headers(signed.headers) };
      behindProxy.headers.set("host", "127.0.0.1:3000");
      // The URL keeps our path: what the app passes is the public URL rebuilt from its own base.
      expect(await verifyRequestSignature({ ...behindProxy, url: INBOX }, ours)).toMatchObject({ ok: true, spec });
      // Without the option, a cavage host is read from the Host header, which the proxy changed.
      if (spec === "draft-cavage")
        expect(await verifyRequestSignature({ ...behindProxy, url: INBOX }, keys(rsa.publicKey))).toMatchObject({ ok: false, reason: "bad_signature" });
    });

    it("names a signature made for another host wrong_authority, and one for another port too", async () => {
      for (const host of ["evil.example", "l2.example:8443", "l2.example.evil"]) {
        const signed = arrive(post(FOLLOW, `https://${host}/users/alice/inbox`), spec);
        const headers = new Headers(signed.headers);
        headers.set("host", host);
        expect(await verifyRequestSignature({ method: "POST", url: INBOX, headers }, ours)).toMatchObject({
          ok: false,
          reason: "wrong_authority",
          detail: `the signature is for host ${host}, not for l2.example`,
        });
        // Arriving with our Host, it simply does not verify.
        headers.set("host", "l2.example");
        expect(await verifyRequestSignature({ method: "POST", url: INBOX, headers }, ours)).toMatchObject({ ok: false, reason: "bad_signature" });
      }
    });

    it("names wrong_authority when our authority has a port and the foreign one has none (and the reverse)", async () => {
      for (const [ourHost, foreignHost] of [
        ["l2.example:8443", "evil.example"],
        ["l2.example", "evil.example:8443"],
      ]) {
        const signed = arrive(post(FOLLOW, `https://${foreignHost}/users/alice/inbox`), spec);
        const headers = new Headers(signed.headers);
        headers.set("host", foreignHost);
        const result = await verifyRequestSignature(
          { method: "POST", url: `https://${ourHost}/users/alice/inbox`, headers },
          { ...keys(rsa.publicKey), expectedAuthority: ourHost },
        );
        expect(result).toMatchObject({ ok: false, reason: "wrong_authority", detail: `the signature is for host ${foreignHost}, not for ${ourHost}` });
      }
    });

    it("a wrong key with a foreign Host is a bad signature, not wrong_authority", async () => {
      const signed = arrive(post(FOLLOW, "https://evil.example/users/alice/inbox"), spec, mallory.privateKey);
      const headers = new Headers(signed.headers);
      headers.set("host", "evil.example");
      expect(await verifyRequestSignature({ method: "POST", url: INBOX, headers }, ours)).toMatchObject({ ok: false, reason: "bad_signature" });
    });
  });

  it("draft-cavage must cover host", async () => {
    const request = post();
    const added = signCavage(request, { privateKey: rsa.privateKey, keyId: KEY_ID, headers: ["(request-target)", "date", "digest"], now: NOW });
    const arrived = { method: "POST", url: INBOX, headers: new Headers({ ...added, host: "l2.example" }) };
    expect(await verifyRequestSignature(arrived, keys(rsa.publicKey))).toMatchObject({ ok: true });
    expect(await verifyRequestSignature(arrived, ours)).toMatchObject({
      ok: false,
      reason: "missing_required_header",
      detail: "the signature does not cover host (it must name this server, l2.example)",
    });
  });
});
