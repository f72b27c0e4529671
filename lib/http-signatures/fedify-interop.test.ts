// Interop with an independent implementation: Fedify 2.3 (a dev dependency, used only here).
// Requests Fedify signs must verify with ours, and requests we sign must verify with Fedify's
// verifyRequest, for draft-cavage-12 and RFC 9421. Fedify fetches the keyId, so it gets an offline
// documentLoader that serves a CryptographicKey document, and a contextLoader that serves its
// preloaded JSON-LD contexts. Fedify signs HTTP requests with RSA only and verifies draft-cavage
// with RSA only; it verifies RFC 9421 with Ed25519 too.
import { KeyObject, generateKeyPairSync, type KeyObject as KeyObjectType } from "node:crypto";
import {
  generateCryptoKeyPair,
  preloadedContexts,
  signRequest as fedifySignRequest,
  verifyRequest as fedifyVerifyRequest,
  verifyRequestDetailed as fedifyVerifyRequestDetailed,
  type DocumentLoader,
  type RemoteDocument,
} from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { beforeAll, describe, expect, it } from "vitest";
import { checkBodyDigest } from "./digest";
import { signRequest, verifyRequestSignature } from "./request-signature";
import type { SignedRequest, SignatureSpec, VerifyResult } from "./types";

const ACTOR = "https://peer.example/users/bob";
const KEY_ID = `${ACTOR}#main-key`;
const INBOX = "https://l2.example/users/alice/inbox";
const NOW = new Date("2026-11-21T12:00:00Z");
const BODY = JSON.stringify({
  "@context": "https://www.w3.org/ns/activitystreams",
  id: "https://peer.example/follows/1",
  type: "Follow",
  actor: ACTOR,
  object: "https://l2.example/users/alice",
});
const FEDIFY_SPEC: Record<SignatureSpec, "rfc9421" | "draft-cavage-http-signatures-12"> = {
  rfc9421: "rfc9421",
  "draft-cavage": "draft-cavage-http-signatures-12",
};
const SPECS = ["draft-cavage", "rfc9421"] as const;

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

function offlineContextLoader(): DocumentLoader {
  return async (url: string): Promise<RemoteDocument> => {
    if (Object.hasOwn(preloadedContexts, url)) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    throw new Error(`offline: no context ${url}`);
  };
}

/** Answers the keyId (with or without its fragment) with a minimal CryptographicKey document. */
function keyDocumentLoader(publicKey: KeyObjectType, fetched: string[] = []): DocumentLoader {
  const document = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id: KEY_ID,
    type: "CryptographicKey",
    owner: ACTOR,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  return async (url: string): Promise<RemoteDocument> => {
    fetched.push(url);
    if (url === KEY_ID || url === ACTOR) return { contextUrl: null, documentUrl: url, document };
    throw new Error(`offline: no document ${url}`);
  };
}

function fedifyOptions(publicKey: KeyObjectType, spec: SignatureSpec, now = NOW) {
  return {
    documentLoader: keyDocumentLoader(publicKey),
    contextLoader: offlineContextLoader(),
    currentTime: instant(now),
    spec: FEDIFY_SPEC[spec],
    timeWindow: { hours: 1 },
  };
}

/** What the server would see of a Fedify-signed Request, plus the raw body bytes read once. */
async function received(request: Request): Promise<{ parts: SignedRequest; body: Uint8Array }> {
  const body = new Uint8Array(await request.arrayBuffer());
  return { parts: { method: request.method, url: request.url, headers: request.headers }, body };
}

/** Turns what our signer produced into a web Request for Fedify. */
function asRequest(method: string, url: string, headers: Headers, body?: string): Request {
  return new Request(url, { method, headers, body });
}

describe("Fedify → us", () => {
  let fedifyKeys: CryptoKeyPair;
  let publicKey: KeyObjectType;

  beforeAll(async () => {
    fedifyKeys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    publicKey = KeyObject.from(fedifyKeys.publicKey);
  });

  const verify = (parts: SignedRequest, now = NOW): Promise<VerifyResult> =>
    verifyRequestSignature(parts, { resolveKey: async (keyId) => (keyId === KEY_ID ? publicKey : null), now });

  async function fedifySigned(spec: SignatureSpec, init: { method: string; url: string; body?: string; headers?: Record<string, string> }, now = NOW) {
    const request = new Request(init.url, {
      method: init.method,
      headers: { "content-type": "application/activity+json", ...init.headers },
      body: init.body,
    });
    return fedifySignRequest(request, fedifyKeys.privateKey, new URL(KEY_ID), { spec: FEDIFY_SPEC[spec], currentTime: instant(now) });
  }

  it.each(SPECS)("verifies a POST Fedify signed with %s, and its body digest", async (spec) => {
    const { parts, body } = await received(await fedifySigned(spec, { method: "POST", url: INBOX, body: BODY }));
    expect(parts.headers.get(spec === "rfc9421" ? "signature-input" : "signature")).toBeTruthy();
    expect(await verify(parts)).toMatchObject({ ok: true, spec, keyId: KEY_ID });
    expect(checkBodyDigest(parts.headers, body)).toMatchObject({ ok: true, kind: spec === "rfc9421" ? "content-digest" : "digest" });
  });

  it.each(SPECS)("verifies a GET Fedify signed with %s", async (spec) => {
    const { parts } = await received(
      await fedifySigned(spec, { method: "GET", url: "https://l2.example/users/alice", headers: { accept: "application/activity+json" } }),
    );
    expect(await verify(parts)).toMatchObject({ ok: true, spec });
  });

  it("verifies a Fedify draft-cavage GET of a URL with a query (Fedify signs the path without it)", async () => {
    const { parts } = await received(await fedifySigned("draft-cavage", { method: "GET", url: "https://l2.example/users/alice/outbox?page=2" }));
    expect(await verify(parts)).toMatchObject({ ok: true });
  });

  it.each(SPECS)("still catches a tampered body, a different path and an old signature from Fedify (%s)", async (spec) => {
    const { parts } = await received(await fedifySigned(spec, { method: "POST", url: INBOX, body: BODY }));
    expect(checkBodyDigest(parts.headers, BODY.replace("bob", "eve")).ok).toBe(false);
    expect(await verify({ ...parts, url: "https://l2.example/users/carol/inbox" })).toMatchObject({ ok: false, reason: "bad_signature" });
    const old = await received(await fedifySigned(spec, { method: "POST", url: INBOX, body: BODY }, new Date(NOW.getTime() - 2 * 3600_000)));
    expect(await verify(old.parts)).toMatchObject({ ok: false, reason: "date_out_of_window" });
  });
});

describe("us → Fedify", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ed = generateKeyPairSync("ed25519");

  function ourPost(spec: SignatureSpec, privateKey: KeyObjectType, now = NOW, url = INBOX): Request {
    const headers = signRequest(
      { method: "POST", url, headers: new Headers({ "content-type": "application/activity+json" }), body: BODY },
      { privateKey, keyId: KEY_ID, spec, now },
    );
    return asRequest("POST", url, headers, BODY);
  }

  it.each(SPECS)("Fedify verifies our RSA POST signed with %s (and fetched our keyId)", async (spec) => {
    const fetched: string[] = [];
    const options = { ...fedifyOptions(rsa.publicKey, spec), documentLoader: keyDocumentLoader(rsa.publicKey, fetched) };
    const key = await fedifyVerifyRequest(ourPost(spec, rsa.privateKey), options);
    expect(key?.id?.href).toBe(KEY_ID);
    expect(key?.ownerId?.href).toBe(ACTOR);
    expect(fetched.length).toBeGreaterThan(0);
  });

  it.each(SPECS)("Fedify verifies our RSA GET signed with %s", async (spec) => {
    const url = "https://peer.example/users/bob";
    const headers = signRequest(
      { method: "GET", url, headers: new Headers({ accept: "application/activity+json" }) },
      { privateKey: rsa.privateKey, keyId: KEY_ID, spec, now: NOW },
    );
    expect(await fedifyVerifyRequest(asRequest("GET", url, headers), fedifyOptions(rsa.publicKey, spec))).not.toBeNull();
  });

  it("Fedify verifies our Ed25519 POST signed with RFC 9421", async () => {
    const key = await fedifyVerifyRequest(ourPost("rfc9421", ed.privateKey), fedifyOptions(ed.publicKey, "rfc9421"));
    expect(key?.id?.href).toBe(KEY_ID);
  });

  it("(Fedify verifies draft-cavage with RSA only: our Ed25519 cavage signature is not accepted there)", async () => {
    // Fedify 2.3.6 does not even return a failure here: crypto.subtle.verify("RSASSA-PKCS1-v1_5")
    // on the Ed25519 key throws InvalidAccessError out of verifyRequestDetailed.
    const outcome = await fedifyVerifyRequestDetailed(ourPost("draft-cavage", ed.privateKey), fedifyOptions(ed.publicKey, "draft-cavage")).then(
      (r) => (r.verified ? "verified" : "refused"),
      (err: unknown) => (err instanceof Error ? err.name : "threw"),
    );
    expect(["refused", "InvalidAccessError"]).toContain(outcome);
  });

  it.each(SPECS)("Fedify refuses what we sign with %s when the body, path, key or time is wrong", async (spec) => {
    const options = fedifyOptions(rsa.publicKey, spec);
    // Tampered body under our valid signature.
    const good = ourPost(spec, rsa.privateKey);
    const tampered = new Request(good.url, { method: "POST", headers: good.headers, body: BODY.replace("bob", "eve") });
    expect(await fedifyVerifyRequest(tampered, options)).toBeNull();
    // Another path.
    const moved = new Request("https://l2.example/users/carol/inbox", { method: "POST", headers: good.headers, body: BODY });
    expect(await fedifyVerifyRequest(moved, options)).toBeNull();
    // Another key.
    const mallory = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(await fedifyVerifyRequest(ourPost(spec, mallory.privateKey), options)).toBeNull();
    // Two hours off.
    expect(await fedifyVerifyRequest(ourPost(spec, rsa.privateKey, new Date(NOW.getTime() - 2 * 3600_000)), options)).toBeNull();
  });

  it.each(SPECS)("the same %s request passes both verifiers (a sanity check that both sides agree)", async (spec) => {
    const request = ourPost(spec, rsa.privateKey);
    const { parts, body } = await received(request.clone());
    expect(await verifyRequestSignature(parts, { resolveKey: async () => rsa.publicKey, now: NOW })).toMatchObject({ ok: true, spec });
    expect(checkBodyDigest(parts.headers, body).ok).toBe(true);
    expect(await fedifyVerifyRequest(request, fedifyOptions(rsa.publicKey, spec))).not.toBeNull();
  });
});
