import { createPrivateKey, createPublicKey, generateKeyPairSync, verify, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkBodyDigest } from "./digest";
import { buildCavageSigningString, parseCavageSignature, signCavage, verifyCavage } from "./draft-cavage";
import type { SignedRequest, VerifyOptions } from "./types";

// draft-cavage-http-signatures-12 Appendix C: the "Test" RSA-1024 key (published, signs nothing
// real) and its example request. RSASSA-PKCS1-v1_5 is deterministic, so the published
// signatures can be reproduced byte for byte.
const TEST_KEY = createPrivateKey(`-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----`);
const TEST_PUBLIC = createPublicKey(`-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----`);
const C_NOW = new Date("2014-01-05T21:31:40Z");
const C_BODY = '{"hello": "world"}';
const C_REQUEST = (): SignedRequest => ({
  method: "POST",
  url: "https://example.com/foo?param=value&pet=dog",
  headers: new Headers({ Host: "example.com", Date: "Sun, 05 Jan 2014 21:31:40 GMT", "Content-Type": "application/json", "Content-Length": "18" }),
  body: C_BODY,
});
const C1 =
  "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=";
const C2 =
  "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=";
const C3 =
  "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=";

function withHeaders(request: SignedRequest, added: Record<string, string>): SignedRequest {
  const headers = new Headers(request.headers);
  for (const [k, v] of Object.entries(added)) headers.set(k, v);
  return { method: request.method, url: request.url, headers };
}

function keysOf(map: Record<string, KeyObject>): VerifyOptions["resolveKey"] {
  return async (keyId) => map[keyId] ?? null;
}

describe("draft-cavage: the published Appendix C vectors", () => {
  it("C.1 (date only), C.2 (request-target host date) and C.3 (with digest) signatures are reproduced exactly", () => {
    const sig = (headers: string[]) => parseCavageSignature(signCavage(C_REQUEST(), { privateKey: TEST_KEY, keyId: "Test", headers, now: C_NOW }).Signature);
    const b64 = (headers: string[]) => {
      const p = sig(headers);
      return p.ok ? Buffer.from(p.params.signature).toString("base64") : p.detail;
    };
    expect(b64(["date"])).toBe(C1);
    expect(b64(["(request-target)", "host", "date"])).toBe(C2);
    expect(b64(["(request-target)", "host", "date", "content-type", "digest", "content-length"])).toBe(C3);
  });

  it("signs the signing string the draft prints", () => {
    const base = buildCavageSigningString(C_REQUEST(), ["(request-target)", "host", "date"]);
    expect(base).toEqual({ ok: true, text: "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT" });
  });

  it("verifies the C.2 header, but not for a request with a body, whose digest it does not cover", async () => {
    const req = withHeaders(C_REQUEST(), { Signature: `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="${C2}"` });
    const resolveKey = keysOf({ Test: TEST_PUBLIC });
    expect(await verifyCavage(req, { resolveKey, now: C_NOW, hasBody: false })).toEqual({
      ok: true,
      spec: "draft-cavage",
      keyId: "Test",
      algorithm: "rsa-sha256",
      components: ["(request-target)", "host", "date"],
    });
    expect(await verifyCavage(req, { resolveKey, now: C_NOW })).toMatchObject({ ok: false, reason: "missing_required_header", keyId: "Test" });
  });

  it("verifies the C.3 header and its body digest; the hs2019 label means the same for an RSA key", async () => {
    const headers = "(request-target) host date content-type digest content-length";
    const signed = withHeaders(C_REQUEST(), { Digest: "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=" });
    const resolveKey = keysOf({ Test: TEST_PUBLIC });
    for (const algorithm of ["rsa-sha256", "hs2019"]) {
      signed.headers.set("Signature", `keyId="Test",algorithm="${algorithm}",headers="${headers}",signature="${C3}"`);
      expect(await verifyCavage(signed, { resolveKey, now: C_NOW })).toMatchObject({ ok: true, algorithm });
    }
    expect(checkBodyDigest(signed.headers, C_BODY)).toMatchObject({ ok: true, kind: "digest" });
  });
});

describe("draft-cavage: parsing the Signature header", () => {
  const sig = "c2lnbmF0dXJl";
  it("reads quoted values holding commas and escaped quotes, with spaces around separators, any name case", () => {
    const p = parseCavageSignature(
      ` keyId = "https://a.example/u?x=1,2#k\\"ey" ,ALGORITHM="RSA-SHA256",  headers="(request-target)  host date", signature="${sig}" `,
    );
    expect(p).toEqual({
      ok: true,
      params: {
        keyId: 'https://a.example/u?x=1,2#k"ey',
        algorithm: "rsa-sha256",
        headers: ["(request-target)", "host", "date"],
        signature: new Uint8Array(Buffer.from("signature")),
      },
    });
  });

  it("ignores unknown parameters and reads created/expires", () => {
    const p = parseCavageSignature(`keyId="k",foo="bar, baz",created=1402170695,expires=1402170699,signature="${sig}",x=1`);
    expect(p.ok && p.params).toMatchObject({ keyId: "k", created: 1402170695, expires: 1402170699, headers: ["(created)"] });
  });

  it.each([
    ["a duplicated parameter", `keyId="a",keyId="b",signature="${sig}"`],
    ["a duplicate in another case", `keyId="a",KEYID="b",signature="${sig}"`],
    ["no keyId", `signature="${sig}"`],
    ["no signature", `keyId="a"`],
    ["a non-base64 signature", `keyId="a",signature="!!!"`],
    ["an unterminated quote", `keyId="a,signature="${sig}`],
    ["garbage", "garbage"],
    ["an empty header", ""],
    ["a trailing comma", `keyId="a",signature="${sig}",`],
    ["a non-integer created", `keyId="a",created="soon",signature="${sig}"`],
    ["a missing separator", `keyId="a" signature="${sig}"`],
  ])("refuses %s", (_, header) => {
    expect(parseCavageSignature(header).ok).toBe(false);
  });
});

describe("draft-cavage: round trips", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ed = generateKeyPairSync("ed25519");
  const NOW = new Date("2026-11-21T12:00:00Z");
  const KEY_ID = "https://remote.example/users/bob#main-key";
  const post = (): SignedRequest => ({
    method: "POST",
    url: "https://l2.example/users/alice/inbox",
    headers: new Headers({ "content-type": "application/activity+json" }),
    body: '{"type":"Follow"}',
  });

  it("signs an RSA POST as protocols.md §2 says: rsa-sha256 over (request-target) host date digest", async () => {
    const req = post();
    const added = signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW });
    expect(Object.keys(added).sort()).toEqual(["Date", "Digest", "Signature"]);
    expect(added.Date).toBe("Sat, 21 Nov 2026 12:00:00 GMT");
    expect(added.Digest).toMatch(/^SHA-256=[A-Za-z0-9+/]{43}=$/);
    expect(added.Signature).toMatch(
      /^keyId="https:\/\/remote\.example\/users\/bob#main-key",algorithm="rsa-sha256",headers="\(request-target\) host date digest",signature="[A-Za-z0-9+/]+=*"$/,
    );
    // An independent check of the bytes signed, with plain node:crypto.
    const p = parseCavageSignature(added.Signature);
    const text = `(request-target): post /users/alice/inbox\nhost: l2.example\ndate: ${added.Date}\ndigest: ${added.Digest}`;
    expect(p.ok && verify("sha256", Buffer.from(text), rsa.publicKey, p.params.signature)).toBe(true);

    const signed = withHeaders(req, added);
    expect(await verifyCavage(signed, { resolveKey: keysOf({ [KEY_ID]: rsa.publicKey }), now: NOW })).toMatchObject({
      ok: true,
      keyId: KEY_ID,
      algorithm: "rsa-sha256",
    });
    expect(checkBodyDigest(signed.headers, req.body ?? "").ok).toBe(true);
  });

  it("signs a GET without a digest", async () => {
    const req: SignedRequest = { method: "GET", url: "https://remote.example/users/bob", headers: new Headers({ accept: "application/activity+json" }) };
    const added = signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW });
    expect(added.Digest).toBeUndefined();
    expect(added.Signature).toContain('headers="(request-target) host date"');
    expect(await verifyCavage(withHeaders(req, added), { resolveKey: keysOf({ [KEY_ID]: rsa.publicKey }), now: NOW })).toMatchObject({ ok: true });
  });

  it("signs and verifies with the hs2019 label", async () => {
    const req = post();
    const added = signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, algorithm: "hs2019", now: NOW });
    expect(added.Signature).toContain('algorithm="hs2019"');
    expect(await verifyCavage(withHeaders(req, added), { resolveKey: keysOf({ [KEY_ID]: rsa.publicKey }), now: NOW })).toMatchObject({
      ok: true,
      algorithm: "hs2019",
    });
  });

  it("signs with Ed25519 under hs2019, and verifies it also under the ed25519 label", async () => {
    const req = post();
    const added = signCavage(req, { privateKey: ed.privateKey, keyId: KEY_ID, now: NOW });
    expect(added.Signature).toContain('algorithm="hs2019"');
    const resolveKey = keysOf({ [KEY_ID]: ed.publicKey });
    expect(await verifyCavage(withHeaders(req, added), { resolveKey, now: NOW })).toMatchObject({ ok: true, algorithm: "hs2019" });
    const relabelled = { ...added, Signature: added.Signature.replace('algorithm="hs2019"', 'algorithm="ed25519"') };
    expect(await verifyCavage(withHeaders(req, relabelled), { resolveKey, now: NOW })).toMatchObject({ ok: true, algorithm: "ed25519" });
    const noLabel = { ...added, Signature: added.Signature.replace('algorithm="hs2019",', "") };
    expect(await verifyCavage(withHeaders(req, noLabel), { resolveKey, now: NOW })).toMatchObject({ ok: true, algorithm: "hs2019" });
  });

  it("refuses to sign rsa-sha256 with an Ed25519 key (a caller's mistake throws)", () => {
    expect(() => signCavage(post(), { privateKey: ed.privateKey, keyId: KEY_ID, algorithm: "rsa-sha256" })).toThrow(TypeError);
    expect(() => signCavage(post(), { privateKey: rsa.publicKey, keyId: KEY_ID })).toThrow(TypeError);
  });

  it("treats an rsa-sha256 label over an Ed25519 key as a bad signature", async () => {
    const req = post();
    const added = signCavage(req, { privateKey: ed.privateKey, keyId: KEY_ID, now: NOW });
    const lying = { ...added, Signature: added.Signature.replace("hs2019", "rsa-sha256") };
    expect(await verifyCavage(withHeaders(req, lying), { resolveKey: keysOf({ [KEY_ID]: ed.publicKey }), now: NOW })).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("does not verify an hs2019 signature from a key type it does not support", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const req = post();
    const added = signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, algorithm: "hs2019", now: NOW });
    expect(await verifyCavage(withHeaders(req, added), { resolveKey: keysOf({ [KEY_ID]: ec.publicKey }), now: NOW })).toMatchObject({
      ok: false,
      reason: "unsupported_algorithm",
    });
  });

  it("supports (created) instead of Date, and honours expires", async () => {
    const req: SignedRequest = { method: "GET", url: "https://remote.example/users/bob", headers: new Headers() };
    const added = signCavage(req, {
      privateKey: ed.privateKey,
      keyId: KEY_ID,
      headers: ["(request-target)", "(created)", "(expires)", "host"],
      expiresInSeconds: 300,
      now: NOW,
    });
    const created = NOW.getTime() / 1000;
    expect(added.Signature).toContain(`created=${created},expires=${created + 300},headers="(request-target) (created) (expires) host"`);
    const resolveKey = keysOf({ [KEY_ID]: ed.publicKey });
    const signed = withHeaders(req, added);
    expect(await verifyCavage(signed, { resolveKey, now: NOW })).toMatchObject({ ok: true });
    expect(await verifyCavage(signed, { resolveKey, now: new Date(NOW.getTime() + 301_000) })).toMatchObject({ ok: false, reason: "date_out_of_window" });
    expect(await verifyCavage(signed, { resolveKey, now: new Date(NOW.getTime() + 2 * 3600_000) })).toMatchObject({ ok: false, reason: "date_out_of_window" });
  });

  it("requires a signed date or (created)", async () => {
    const req: SignedRequest = { method: "GET", url: "https://remote.example/users/bob", headers: new Headers() };
    const added = signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, headers: ["(request-target)", "host"], now: NOW });
    expect(await verifyCavage(withHeaders(req, added), { resolveKey: keysOf({ [KEY_ID]: rsa.publicKey }), now: NOW })).toMatchObject({
      ok: false,
      reason: "missing_required_header",
    });
  });

  it("reports a covered header that the request lacks", async () => {
    const req = post();
    const signed = withHeaders(req, signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW }));
    signed.headers.delete("digest");
    expect(await verifyCavage(signed, { resolveKey: keysOf({ [KEY_ID]: rsa.publicKey }), now: NOW })).toMatchObject({
      ok: false,
      reason: "missing_required_header",
    });
  });

  it("enforces requiredHeaders", async () => {
    const req: SignedRequest = { method: "GET", url: "https://remote.example/users/bob", headers: new Headers({ accept: "application/activity+json" }) };
    const signed = withHeaders(req, signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW }));
    const resolveKey = keysOf({ [KEY_ID]: rsa.publicKey });
    expect(await verifyCavage(signed, { resolveKey, now: NOW, requiredHeaders: ["host"] })).toMatchObject({ ok: true });
    expect(await verifyCavage(signed, { resolveKey, now: NOW, requiredHeaders: ["accept"] })).toMatchObject({ ok: false, reason: "missing_required_header" });
  });

  it("accepts a (request-target) signed without the query string (as Fedify signs it) unless told not to", async () => {
    const url = "https://remote.example/users/bob/outbox?page=2";
    const req: SignedRequest = { method: "GET", url: "https://remote.example/users/bob/outbox", headers: new Headers() };
    const added = signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW });
    const replayed = { ...withHeaders(req, added), url };
    const resolveKey = keysOf({ [KEY_ID]: rsa.publicKey });
    expect(await verifyCavage(replayed, { resolveKey, now: NOW })).toMatchObject({ ok: true });
    expect(await verifyCavage(replayed, { resolveKey, now: NOW, acceptQuerylessTarget: false })).toMatchObject({ ok: false, reason: "bad_signature" });
    // A signature that covers the query stays bound to it.
    const withQuery = withHeaders({ ...req, url }, signCavage({ ...req, url }, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW }));
    expect(await verifyCavage({ ...withQuery, url: "https://remote.example/users/bob/outbox?page=3" }, { resolveKey, now: NOW })).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("refetches the key once through refreshKey when the cached one fails (key rotation)", async () => {
    const old = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const req = post();
    const signed = withHeaders(req, signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW }));
    let refreshed = 0;
    const options = {
      resolveKey: async () => old.publicKey,
      refreshKey: async () => {
        refreshed++;
        return rsa.publicKey;
      },
      now: NOW,
    };
    expect(await verifyCavage(signed, options)).toMatchObject({ ok: true });
    expect(refreshed).toBe(1);
    expect(await verifyCavage(signed, { ...options, refreshKey: async () => old.publicKey })).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("says unknown_key when the keyId resolves to nothing", async () => {
    const req = post();
    const signed = withHeaders(req, signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW }));
    expect(await verifyCavage(signed, { resolveKey: keysOf({}), now: NOW })).toEqual({
      ok: false,
      reason: "unknown_key",
      keyId: KEY_ID,
      detail: `no key for ${KEY_ID}`,
    });
  });

  it("checks the algorithm and the date before looking the key up", async () => {
    const req = post();
    const signed = withHeaders(req, signCavage(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW }));
    let lookups = 0;
    const resolveKey = async () => {
      lookups++;
      return rsa.publicKey;
    };
    expect(await verifyCavage(signed, { resolveKey, now: new Date(NOW.getTime() + 7200_000) })).toMatchObject({ reason: "date_out_of_window" });
    signed.headers.set("signature", signed.headers.get("signature")!.replace("rsa-sha256", "hmac-sha256"));
    expect(await verifyCavage(signed, { resolveKey, now: NOW })).toMatchObject({ reason: "unsupported_algorithm" });
    expect(lookups).toBe(0);
  });
});
