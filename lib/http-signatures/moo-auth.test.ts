import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeMultibaseBase58btc, didKeyFromEd25519, encodeBase58btc, encodeMultibaseBase58btc, importEd25519Seed } from "@/lib/crypto";
import { buildMooAuthSigningString, mooAuthDigest, signMooAuth, verifyMooAuth, type MooAuthRequest } from "./moo-auth";

// protocols.md §3: bovine's published Moo-Auth-1 vectors.
const VECTOR_SECRET = "z3u2Yxcowsarethebestcowsarethebestcowsarethebest";
const VECTOR_DID = "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5";
const VECTOR_DATE = "Wed, 15 Mar 2023 17:28:15 GMT";
const VECTOR_NOW = new Date(Date.parse(VECTOR_DATE));
const VECTOR_HOST = "myhost.tld";
const VECTOR_PATH = "/path/to/resource";
const VECTOR_BODY = '{"cows": "good"}';
const VECTOR_DIGEST = "sha-256=MILb5lUDD6Z0pDSxhgxj+hMBEw0uTzP3g2qUJGHMp9k=";
const VECTOR_GET_SIGNATURE = "z5ahdHCbP9aJEsDtvG1MEZpxPzuvGKYcdXdKvMq5YL21Z2umxjs1SopCY2Ap8vZxVjTEf6dYbGuB7mtgcgUyNdBLe";
const VECTOR_POST_SIGNATURE = "z4vPkJaoaSVQp5DrMb8EvCajJcerW36rsyWDELTWQ3cYmaonnGfb8WHiwH54BShidCcmpoyHjanVRYNrXXXka4jAn";

function vectorKey() {
  const secret = decodeMultibaseBase58btc(VECTOR_SECRET);
  if (!secret.ok) throw new Error("the vector secret does not decode");
  return importEd25519Seed(secret.bytes.subarray(2));
}

const enc = new TextEncoder();

function vectorRequest(method: "GET" | "POST", overrides: Record<string, string | null> = {}, body = VECTOR_BODY): MooAuthRequest {
  const base: Record<string, string> = {
    authorization: `Moo-Auth-1 ${VECTOR_DID}`,
    "x-moo-signature": method === "GET" ? VECTOR_GET_SIGNATURE : VECTOR_POST_SIGNATURE,
    host: VECTOR_HOST,
    date: VECTOR_DATE,
    ...(method === "POST" ? { digest: VECTOR_DIGEST } : {}),
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete base[k];
    else base[k] = v;
  }
  return { method, path: VECTOR_PATH, headers: new Headers(base), body: method === "POST" ? enc.encode(body) : undefined };
}

const vectorOptions = { expectedHost: VECTOR_HOST, now: VECTOR_NOW };

function expectFailure(result: ReturnType<typeof verifyMooAuth>, reason: string, detail?: RegExp) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.reason).toBe(reason);
  if (detail) expect(result.detail).toMatch(detail);
}

describe("buildMooAuthSigningString", () => {
  it("joins (request-target), host, date and on POST digest with \\n, no trailing newline", () => {
    expect(buildMooAuthSigningString({ method: "GET", path: "/a", host: "h", date: "d" })).toBe("(request-target): get /a\nhost: h\ndate: d");
    expect(buildMooAuthSigningString({ method: "post", path: "/a", host: "h", date: "d", digest: "x" })).toBe(
      "(request-target): post /a\nhost: h\ndate: d\ndigest: x",
    );
  });
});

describe("signMooAuth", () => {
  it("reproduces the published GET vector", () => {
    const { privateKey } = vectorKey();
    const headers = signMooAuth({ method: "GET", url: `https://${VECTOR_HOST}${VECTOR_PATH}?q=1`, privateKey, now: VECTOR_NOW });
    expect(headers).toEqual({ Authorization: `Moo-Auth-1 ${VECTOR_DID}`, "X-Moo-Signature": VECTOR_GET_SIGNATURE, Date: VECTOR_DATE });
  });

  it("reproduces the published POST vector (digest of the body)", () => {
    const { privateKey } = vectorKey();
    expect(mooAuthDigest(VECTOR_BODY)).toBe(VECTOR_DIGEST);
    const headers = signMooAuth({ method: "POST", url: `https://${VECTOR_HOST}${VECTOR_PATH}`, body: VECTOR_BODY, privateKey, now: VECTOR_NOW });
    expect(headers).toEqual({
      Authorization: `Moo-Auth-1 ${VECTOR_DID}`,
      "X-Moo-Signature": VECTOR_POST_SIGNATURE,
      Date: VECTOR_DATE,
      Digest: VECTOR_DIGEST,
    });
  });
});

describe("verifyMooAuth", () => {
  it("verifies the published GET vector", () => {
    expect(verifyMooAuth(vectorRequest("GET"), vectorOptions)).toEqual({ ok: true, didKey: VECTOR_DID, signature: VECTOR_GET_SIGNATURE });
  });

  it("verifies the published POST vector", () => {
    expect(verifyMooAuth(vectorRequest("POST"), vectorOptions)).toEqual({ ok: true, didKey: VECTOR_DID, signature: VECTOR_POST_SIGNATURE });
  });

  it("round-trips a fresh key (sign, then verify)", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const now = new Date("2026-01-02T03:04:05Z");
    const body = enc.encode(JSON.stringify({ type: "Create" }));
    const headers = signMooAuth({ method: "POST", url: "http://l2.test:8080/users/a/outbox", body, privateKey, now });
    const result = verifyMooAuth(
      { method: "POST", path: "/users/a/outbox", headers: new Headers({ ...headers, host: "l2.test:8080" }), body },
      { expectedHost: "l2.test:8080", now },
    );
    expect(result).toEqual({ ok: true, didKey: didKeyFromEd25519(privateKey), signature: headers["X-Moo-Signature"] });
  });

  it("refuses a signature made by another key (wrong key for the signature)", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const signingString = buildMooAuthSigningString({ method: "GET", path: VECTOR_PATH, host: VECTOR_HOST, date: VECTOR_DATE });
    const forged = encodeMultibaseBase58btc(sign(null, Buffer.from(signingString), privateKey));
    expectFailure(verifyMooAuth(vectorRequest("GET", { "x-moo-signature": forged }), vectorOptions), "bad_signature", /does not verify/);
  });

  it("refuses a Host of another server", () => {
    expectFailure(verifyMooAuth(vectorRequest("GET"), { ...vectorOptions, expectedHost: "l2.example" }), "wrong_host", /myhost\.tld, not this server/);
  });

  it("refuses a missing Host", () => {
    expectFailure(verifyMooAuth(vectorRequest("GET", { host: null }), vectorOptions), "wrong_host", /missing/);
  });

  it("refuses a Date 6 minutes old", () => {
    expectFailure(verifyMooAuth(vectorRequest("GET"), { ...vectorOptions, now: new Date(VECTOR_NOW.getTime() + 360_000) }), "date_out_of_window", /360 s old/);
  });

  it("refuses a Date 6 minutes ahead", () => {
    expectFailure(
      verifyMooAuth(vectorRequest("GET"), { ...vectorOptions, now: new Date(VECTOR_NOW.getTime() - 360_000) }),
      "date_out_of_window",
      /360 s ahead/,
    );
  });

  it("accepts a Date 4 minutes away either way", () => {
    expect(verifyMooAuth(vectorRequest("GET"), { ...vectorOptions, now: new Date(VECTOR_NOW.getTime() + 240_000) }).ok).toBe(true);
    expect(verifyMooAuth(vectorRequest("GET"), { ...vectorOptions, now: new Date(VECTOR_NOW.getTime() - 240_000) }).ok).toBe(true);
  });

  it("refuses a missing or unreadable Date", () => {
    expectFailure(verifyMooAuth(vectorRequest("GET", { date: null }), vectorOptions), "missing_date", /missing/);
    expectFailure(verifyMooAuth(vectorRequest("GET", { date: "yesterday" }), vectorOptions), "missing_date", /not an HTTP date/);
  });

  it("refuses the GET signing string on a POST", () => {
    const req = vectorRequest("POST", { "x-moo-signature": VECTOR_GET_SIGNATURE });
    expectFailure(verifyMooAuth(req, vectorOptions), "bad_signature");
  });

  it("refuses a POST whose signature was made for GET when the digest is left out", () => {
    const req = vectorRequest("POST", { "x-moo-signature": VECTOR_GET_SIGNATURE, digest: null });
    expectFailure(verifyMooAuth(req, vectorOptions), "bad_digest", /must carry a Digest/);
  });

  it("refuses a tampered body sent with the old digest", () => {
    const req = vectorRequest("POST", {}, '{"cows": "bad"}');
    expectFailure(verifyMooAuth(req, vectorOptions), "bad_digest", /not the SHA-256 of the body/);
  });

  it("refuses the correct digest of another body (the signature covers the old digest)", () => {
    const other = '{"cows": "bad"}';
    const req = vectorRequest("POST", { digest: mooAuthDigest(other) }, other);
    expectFailure(verifyMooAuth(req, vectorOptions), "bad_signature");
  });

  it("refuses a digest that is not sha-256", () => {
    const req = vectorRequest("POST", { digest: "md5=abc" });
    expectFailure(verifyMooAuth(req, vectorOptions), "bad_digest");
  });

  it("refuses a signature without the leading z", () => {
    expectFailure(verifyMooAuth(vectorRequest("GET", { "x-moo-signature": VECTOR_GET_SIGNATURE.slice(1) }), vectorOptions), "malformed_signature", /'z'/);
  });

  it("refuses a signature in base64", () => {
    const bytes = decodeMultibaseBase58btc(VECTOR_GET_SIGNATURE);
    if (!bytes.ok) throw new Error("vector");
    const b64 = Buffer.from(bytes.bytes).toString("base64");
    expectFailure(verifyMooAuth(vectorRequest("GET", { "x-moo-signature": b64 }), vectorOptions), "malformed_signature");
    expectFailure(verifyMooAuth(vectorRequest("GET", { "x-moo-signature": `z${b64}` }), vectorOptions), "malformed_signature");
  });

  it("refuses a signature of the wrong length", () => {
    expectFailure(
      verifyMooAuth(vectorRequest("GET", { "x-moo-signature": `z${encodeBase58btc(new Uint8Array(63).fill(7))}` }), vectorOptions),
      "malformed_signature",
      /63 bytes/,
    );
    expectFailure(verifyMooAuth(vectorRequest("GET", { "x-moo-signature": `z${"2".repeat(500)}` }), vectorOptions), "malformed_signature", /too long/);
  });

  it("refuses a missing signature", () => {
    expectFailure(verifyMooAuth(vectorRequest("GET", { "x-moo-signature": null }), vectorOptions), "missing_signature");
  });

  it("refuses a did:key with another multicodec (z6LS…, X25519)", () => {
    const x25519 = `did:key:${encodeMultibaseBase58btc(Uint8Array.from([0xec, 0x01, ...new Uint8Array(32).fill(9)]))}`;
    expect(x25519.startsWith("did:key:z6LS")).toBe(true);
    expectFailure(verifyMooAuth(vectorRequest("GET", { authorization: `Moo-Auth-1 ${x25519}` }), vectorOptions), "bad_did_key", /not an Ed25519 key/);
  });

  it("refuses garbage in Authorization without throwing", () => {
    for (const authorization of [
      "Moo-Auth-1",
      "Moo-Auth-1 did:key:z0OIl",
      "Moo-Auth-1 did:key:zzz",
      `Moo-Auth-1 did:key:z${"1".repeat(400)}`,
      "Bearer x",
      "Moo-Auth-1 a b",
    ]) {
      const result = verifyMooAuth(vectorRequest("GET", { authorization }), vectorOptions);
      expect(result.ok, authorization).toBe(false);
    }
  });

  it("accepts a signature over an alternative path of the same resource (a rewrite)", () => {
    const req = { ...vectorRequest("GET"), path: "/api/path/to/resource" };
    expectFailure(verifyMooAuth(req, vectorOptions), "bad_signature");
    expect(verifyMooAuth(req, { ...vectorOptions, alternativePaths: [VECTOR_PATH] }).ok).toBe(true);
  });
});
