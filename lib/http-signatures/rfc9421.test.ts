import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkBodyDigest } from "./digest";
import { buildRfc9421SignatureBase, signRfc9421, verifyRfc9421 } from "./rfc9421";
import { parseDictionary } from "./structured-fields";
import type { SignedRequest, VerifyOptions } from "./types";

// RFC 9421 Appendix B.1.4 "test-key-ed25519" and B.1.1 "test-key-rsa" (public half): published
// test keys that sign nothing real.
const ED_KEY = createPrivateKey("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----");
const ED_PUBLIC = createPublicKey(ED_KEY);
const RSA_PUBLIC = createPublicKey(`-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----`);
const BODY = '{"hello": "world"}';

const keysOf =
  (map: Record<string, KeyObject>): VerifyOptions["resolveKey"] =>
  async (keyId) =>
    map[keyId] ?? null;

function withHeaders(request: SignedRequest, added: Record<string, string>): SignedRequest {
  const headers = new Headers(request.headers);
  for (const [k, v] of Object.entries(added)) headers.set(k, v);
  return { method: request.method, url: request.url, headers };
}

describe("RFC 9421: the published vectors", () => {
  // §B.2.6 "Signing a Request Using ed25519" (Ed25519 is deterministic).
  const b26 = (): SignedRequest => ({
    method: "POST",
    url: "https://example.com/foo?param=Value&Pet=dog",
    headers: new Headers({
      Host: "example.com",
      Date: "Tue, 20 Apr 2021 02:07:55 GMT",
      "Content-Type": "application/json",
      "Content-Length": "18",
      "Signature-Input": 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      Signature: "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
    }),
  });
  const B26_BASE = [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  ].join("\n");
  const B26_NOW = new Date(1618884473 * 1000);

  it("B.2.6: builds the printed signature base, and signing it gives the printed signature", () => {
    const req = b26();
    const input = parseDictionary(req.headers.get("signature-input") ?? "").get("sig-b26");
    if (input?.kind !== "inner-list") throw new Error("fixture");
    const base = buildRfc9421SignatureBase(req, input);
    expect(base).toEqual({ ok: true, text: B26_BASE });
    expect(sign(null, Buffer.from(B26_BASE), ED_KEY).toString("base64")).toBe(
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==",
    );
  });

  it("B.2.6: verifies (no alg: Ed25519 from the key) when the body does not matter, and demands content-digest when it does", async () => {
    const resolveKey = keysOf({ "test-key-ed25519": ED_PUBLIC });
    expect(await verifyRfc9421(b26(), { resolveKey, now: B26_NOW, hasBody: false })).toEqual({
      ok: true,
      spec: "rfc9421",
      keyId: "test-key-ed25519",
      algorithm: "ed25519",
      components: ["date", "@method", "@path", "@authority", "content-type", "content-length"],
      label: "sig-b26",
    });
    expect(await verifyRfc9421(b26(), { resolveKey, now: B26_NOW })).toMatchObject({ ok: false, reason: "missing_required_header" });
  });

  // §4.3 "Multiple Signatures": the proxy's rsa-v1_5-sha256 signature (deterministic) with expires.
  const proxy = (): SignedRequest => ({
    method: "POST",
    url: "https://origin.host.internal.example/foo?param=Value&Pet=dog",
    headers: new Headers({
      Host: "origin.host.internal.example",
      Date: "Tue, 20 Apr 2021 02:07:56 GMT",
      "Content-Type": "application/json",
      "Content-Length": "18",
      Forwarded: "for=192.0.2.123;host=example.com;proto=https",
      "Content-Digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
      "Signature-Input":
        'proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540',
      Signature:
        "proxy_sig=:" +
        "S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68" +
        "U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR" +
        "6WfgS9ddzirrswsE1w5o0LV/g==:",
    }),
  });
  const PROXY_NOW = new Date(1618884480 * 1000);

  it("§4.3: verifies the proxy signature and its SHA-512 Content-Digest", async () => {
    const req = proxy();
    expect(await verifyRfc9421(req, { resolveKey: keysOf({ "test-key-rsa": RSA_PUBLIC }), now: PROXY_NOW })).toMatchObject({
      ok: true,
      keyId: "test-key-rsa",
      algorithm: "rsa-v1_5-sha256",
      label: "proxy_sig",
    });
    expect(checkBodyDigest(req.headers, BODY)).toMatchObject({ ok: true, kind: "content-digest" });
  });

  it("§4.3: refuses it once expires has passed, even inside the skew window", async () => {
    const later = new Date((1618884540 + 1) * 1000);
    expect(await verifyRfc9421(proxy(), { resolveKey: keysOf({ "test-key-rsa": RSA_PUBLIC }), now: later })).toMatchObject({
      ok: false,
      reason: "date_out_of_window",
    });
  });

  it("§4.3: a changed covered header breaks it", async () => {
    const req = proxy();
    req.headers.set("forwarded", "for=192.0.2.124;host=example.com;proto=https");
    expect(await verifyRfc9421(req, { resolveKey: keysOf({ "test-key-rsa": RSA_PUBLIC }), now: PROXY_NOW })).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });
});

describe("RFC 9421: what we sign", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ed = generateKeyPairSync("ed25519");
  const NOW = new Date("2026-11-21T12:00:00Z");
  const CREATED = NOW.getTime() / 1000;
  const KEY_ID = "https://l2.example/users/giles#main-key";
  const post = (): SignedRequest => ({
    method: "POST",
    url: "https://remote.example/users/bob/inbox",
    headers: new Headers({ "content-type": "application/activity+json" }),
    body: BODY,
  });

  it("covers @method @target-uri @authority content-digest date with created, keyid and alg, labelled sig1", () => {
    const req = post();
    const added = signRfc9421(req, { privateKey: rsa.privateKey, keyId: KEY_ID, now: NOW });
    expect(added).toMatchObject({
      "Content-Digest": "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
      Date: "Sat, 21 Nov 2026 12:00:00 GMT",
      "Signature-Input": `sig1=("@method" "@target-uri" "@authority" "content-digest" "date");created=${CREATED};keyid="${KEY_ID}";alg="rsa-v1_5-sha256"`,
    });
    expect(added.Signature).toMatch(/^sig1=:[A-Za-z0-9+/]+=*:$/);
    // Independently: the RFC 9421 §2.5 base, written out by hand, verifies with plain node:crypto.
    const base = [
      '"@method": POST',
      '"@target-uri": https://remote.example/users/bob/inbox',
      '"@authority": remote.example',
      '"content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      '"date": Sat, 21 Nov 2026 12:00:00 GMT',
      `"@signature-params": ("@method" "@target-uri" "@authority" "content-digest" "date");created=${CREATED};keyid="${KEY_ID}";alg="rsa-v1_5-sha256"`,
    ].join("\n");
    const signature = Buffer.from(added.Signature.slice("sig1=:".length, -1), "base64");
    expect(verify("sha256", Buffer.from(base), rsa.publicKey, signature)).toBe(true);
  });

  it("leaves content-digest out of a GET, and keeps an existing Date", async () => {
    const req: SignedRequest = { method: "GET", url: "https://remote.example/users/bob", headers: new Headers({ date: NOW.toUTCString() }) };
    const added = signRfc9421(req, { privateKey: ed.privateKey, keyId: KEY_ID, now: NOW });
    expect(added["Content-Digest"]).toBeUndefined();
    expect(added.Date).toBeUndefined();
    expect(added["Signature-Input"]).toBe(`sig1=("@method" "@target-uri" "@authority" "date");created=${CREATED};keyid="${KEY_ID}";alg="ed25519"`);
    expect(await verifyRfc9421(withHeaders(req, added), { resolveKey: keysOf({ [KEY_ID]: ed.publicKey }), now: NOW })).toMatchObject({
      ok: true,
      algorithm: "ed25519",
    });
  });

  it.each([
    ["RSA", "rsa-v1_5-sha256", () => rsa],
    ["Ed25519", "ed25519", () => ed],
  ] as const)("round-trips a POST signed with %s", async (_, algorithm, pair) => {
    const req = post();
    const added = signRfc9421(req, { privateKey: pair().privateKey, keyId: KEY_ID, now: NOW });
    const signed = withHeaders(req, added);
    expect(await verifyRfc9421(signed, { resolveKey: keysOf({ [KEY_ID]: pair().publicKey }), now: NOW })).toEqual({
      ok: true,
      spec: "rfc9421",
      keyId: KEY_ID,
      algorithm,
      components: ["@method", "@target-uri", "@authority", "content-digest", "date"],
      label: "sig1",
    });
    expect(checkBodyDigest(signed.headers, req.body ?? "")).toMatchObject({ ok: true, kind: "content-digest" });
  });

  it("round-trips rsa-pss-sha512, a custom label and expires", async () => {
    const req = post();
    const added = signRfc9421(req, { privateKey: rsa.privateKey, keyId: KEY_ID, algorithm: "rsa-pss-sha512", label: "peer", expiresInSeconds: 60, now: NOW });
    expect(added["Signature-Input"]).toMatch(/^peer=\(.*\);created=\d+;keyid=".*";alg="rsa-pss-sha512";expires=\d+$/);
    const resolveKey = keysOf({ [KEY_ID]: rsa.publicKey });
    expect(await verifyRfc9421(withHeaders(req, added), { resolveKey, now: NOW })).toMatchObject({ ok: true, algorithm: "rsa-pss-sha512", label: "peer" });
    expect(await verifyRfc9421(withHeaders(req, added), { resolveKey, now: new Date(NOW.getTime() + 61_000) })).toMatchObject({ reason: "date_out_of_window" });
  });

  it("refuses to sign with a key that does not fit the algorithm", () => {
    expect(() => signRfc9421(post(), { privateKey: ed.privateKey, keyId: KEY_ID, algorithm: "rsa-v1_5-sha256" })).toThrow(TypeError);
    expect(() => signRfc9421(post(), { privateKey: rsa.privateKey, keyId: KEY_ID, label: "Bad Label" })).toThrow(TypeError);
    expect(() => signRfc9421(post(), { privateKey: rsa.privateKey, keyId: "https://l2.example/ü" })).toThrow(TypeError);
  });
});

describe("RFC 9421: verification rules", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ed = generateKeyPairSync("ed25519");
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const NOW = new Date("2026-11-21T12:00:00Z");
  const CREATED = NOW.getTime() / 1000;
  const KEY_ID = "https://remote.example/users/bob#main-key";
  const URL_ = "https://l2.example/users/alice/inbox";

  /** A hand-made signature over any components and parameters, to reach every rule. */
  function handSigned(
    components: string[],
    params: string,
    key: KeyObject,
    options: { label?: string; algorithm?: string | null; method?: string } = {},
  ): SignedRequest {
    const label = options.label ?? "sig1";
    const req: SignedRequest = {
      method: options.method ?? "POST",
      url: URL_,
      headers: new Headers({
        date: NOW.toUTCString(),
        "content-digest": "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
        "content-type": "application/activity+json",
      }),
    };
    const inner = `(${components.map((c) => `"${c}"`).join(" ")})${params}`;
    const input = parseDictionary(`${label}=${inner}`).get(label);
    if (input?.kind !== "inner-list") throw new Error("fixture");
    const base = buildRfc9421SignatureBase(req, input);
    if (!base.ok) throw new Error(base.detail);
    const algorithm = options.algorithm === undefined ? (key.asymmetricKeyType === "ed25519" ? null : "sha256") : options.algorithm;
    const sig =
      key.asymmetricKeyType === "ec"
        ? sign("sha256", Buffer.from(base.text), { key, dsaEncoding: "ieee-p1363" })
        : sign(algorithm, Buffer.from(base.text), key);
    req.headers.set("signature-input", `${label}=${inner}`);
    req.headers.set("signature", `${label}=:${sig.toString("base64")}:`);
    return req;
  }
  const FULL = ["@method", "@target-uri", "content-digest"];
  const P = `;created=${CREATED};keyid="${KEY_ID}"`;
  const resolveKey = keysOf({ [KEY_ID]: rsa.publicKey });

  it("derives the algorithm from the key when alg is absent (RSA, Ed25519, ECDSA P-256)", async () => {
    expect(await verifyRfc9421(handSigned(FULL, P, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({ ok: true, algorithm: "rsa-v1_5-sha256" });
    expect(await verifyRfc9421(handSigned(FULL, P, ed.privateKey), { resolveKey: keysOf({ [KEY_ID]: ed.publicKey }), now: NOW })).toMatchObject({
      ok: true,
      algorithm: "ed25519",
    });
    expect(await verifyRfc9421(handSigned(FULL, P, ec.privateKey), { resolveKey: keysOf({ [KEY_ID]: ec.publicKey }), now: NOW })).toMatchObject({
      ok: true,
      algorithm: "ecdsa-p256-sha256",
    });
  });

  it("accepts @path with @authority (or @request-target with @authority) for the target", async () => {
    expect(await verifyRfc9421(handSigned(["@method", "@authority", "@path", "content-digest"], P, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({
      ok: true,
    });
    expect(
      await verifyRfc9421(handSigned(["@method", "@authority", "@request-target", "content-digest"], P, rsa.privateKey), { resolveKey, now: NOW }),
    ).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ["@method", ["@target-uri", "content-digest"]],
    ["the target", ["@method", "@path", "content-digest"]],
    ["content-digest on a body", ["@method", "@target-uri", "date"]],
  ])("requires %s to be covered", async (_, components) => {
    expect(await verifyRfc9421(handSigned(components, P, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({
      ok: false,
      reason: "missing_required_header",
      keyId: KEY_ID,
    });
  });

  it("requires created, and a keyid", async () => {
    expect(await verifyRfc9421(handSigned(FULL, `;keyid="${KEY_ID}"`, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({
      reason: "missing_required_header",
    });
    expect(await verifyRfc9421(handSigned(FULL, `;created=${CREATED}`, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({ reason: "malformed" });
    expect(await verifyRfc9421(handSigned(FULL, `;created="${CREATED}";keyid="${KEY_ID}"`, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({
      reason: "malformed",
    });
  });

  it("keeps created within ±maxSkewSeconds", async () => {
    const req = handSigned(FULL, `;created=${CREATED - 600};keyid="${KEY_ID}"`, rsa.privateKey);
    expect(await verifyRfc9421(req, { resolveKey, now: NOW })).toMatchObject({ ok: true });
    expect(await verifyRfc9421(req, { resolveKey, now: NOW, maxSkewSeconds: 300 })).toMatchObject({ ok: false, reason: "date_out_of_window" });
    const future = handSigned(FULL, `;created=${CREATED + 3700};keyid="${KEY_ID}"`, rsa.privateKey);
    expect(await verifyRfc9421(future, { resolveKey, now: NOW })).toMatchObject({ ok: false, reason: "date_out_of_window" });
  });

  it("checks a covered Date header against the window too", async () => {
    const req = handSigned([...FULL, "date"], P, rsa.privateKey);
    req.headers.set("date", new Date(NOW.getTime() - 7200_000).toUTCString());
    expect(await verifyRfc9421(req, { resolveKey, now: NOW })).toMatchObject({ ok: false, reason: "date_out_of_window" });
  });

  it.each(["hmac-sha256", "rsa-sha256", "RSA-V1_5-SHA256", "none"])("says unsupported_algorithm for alg=%j", async (alg) => {
    expect(await verifyRfc9421(handSigned(FULL, `${P};alg="${alg}"`, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({
      ok: false,
      reason: "unsupported_algorithm",
    });
  });

  it("treats an alg that does not fit the key as a bad signature", async () => {
    expect(await verifyRfc9421(handSigned(FULL, `${P};alg="ed25519"`, rsa.privateKey), { resolveKey, now: NOW })).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("says unsupported_algorithm for a key type it cannot use", async () => {
    const dsaLike = generateKeyPairSync("x25519");
    expect(await verifyRfc9421(handSigned(FULL, P, rsa.privateKey), { resolveKey: keysOf({ [KEY_ID]: dsaLike.publicKey }), now: NOW })).toMatchObject({
      ok: false,
      reason: "unsupported_algorithm",
    });
  });

  it("tries each label and accepts the first valid one", async () => {
    const good = handSigned(FULL, P, rsa.privateKey, { label: "good" });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const bad = handSigned(FULL, P, other.privateKey, { label: "bad" });
    const req: SignedRequest = {
      ...good,
      headers: new Headers(good.headers),
    };
    req.headers.set("signature-input", `${bad.headers.get("signature-input")}, ${good.headers.get("signature-input")}`);
    req.headers.set("signature", `${bad.headers.get("signature")}, ${good.headers.get("signature")}`);
    expect(await verifyRfc9421(req, { resolveKey, now: NOW })).toMatchObject({ ok: true, label: "good" });
    expect(await verifyRfc9421(req, { resolveKey, now: NOW, label: "bad" })).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(await verifyRfc9421(req, { resolveKey, now: NOW, label: "nope" })).toMatchObject({ ok: false, reason: "no_signature" });
  });

  it.each([
    ["Signature-Input without Signature", (r: SignedRequest) => r.headers.delete("signature")],
    ["a Signature that is not a byte sequence", (r: SignedRequest) => r.headers.set("signature", 'sig1="abc"')],
    ["a label missing from Signature", (r: SignedRequest) => r.headers.set("signature", "other=:YWJj:")],
    ["a broken dictionary", (r: SignedRequest) => r.headers.set("signature-input", 'sig1=("@method" "@target-uri"')],
    ["a duplicated label", (r: SignedRequest) => r.headers.set("signature-input", `${r.headers.get("signature-input")}, ${r.headers.get("signature-input")}`)],
    ["a duplicated parameter", (r: SignedRequest) => r.headers.set("signature-input", `${r.headers.get("signature-input")};created=1`)],
    ["an item instead of an inner list", (r: SignedRequest) => r.headers.set("signature-input", `sig1="@method";created=${CREATED};keyid="${KEY_ID}"`)],
    ["an empty Signature-Input", (r: SignedRequest) => r.headers.set("signature-input", "")],
    [
      "more than 8 signatures",
      (r: SignedRequest) => r.headers.set("signature-input", Array.from({ length: 9 }, (_, i) => `s${i}=("@method");created=1`).join(", ")),
    ],
  ])("says malformed for %s", async (_, mutate) => {
    const req = handSigned(FULL, P, rsa.privateKey);
    mutate(req);
    expect(await verifyRfc9421(req, { resolveKey, now: NOW })).toMatchObject({ ok: false, reason: "malformed" });
  });

  it.each([
    ["an upper-case field name", '"Content-Type"'],
    ["a derived component it does not support", '"@query-param";name="a"'],
    ["a field with parameters", '"content-digest";sf'],
    ["an unknown derived component", '"@whatever"'],
    ["a component covered twice", '"@method"'],
  ])("says malformed for %s", async (_, extra) => {
    const req = handSigned(FULL, P, rsa.privateKey);
    req.headers.set("signature-input", `sig1=("@method" "@target-uri" "content-digest" ${extra})${P}`);
    expect(await verifyRfc9421(req, { resolveKey, now: NOW })).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("reports a covered header that is absent", async () => {
    const req = handSigned([...FULL, "content-type"], P, rsa.privateKey);
    req.headers.delete("content-type");
    expect(await verifyRfc9421(req, { resolveKey, now: NOW })).toMatchObject({ ok: false, reason: "missing_required_header" });
  });

  it("enforces requiredHeaders, and allows a GET without a digest", async () => {
    const get = handSigned(["@method", "@target-uri"], P, rsa.privateKey, { method: "GET" });
    expect(await verifyRfc9421(get, { resolveKey, now: NOW })).toMatchObject({ ok: true });
    expect(await verifyRfc9421(get, { resolveKey, now: NOW, requiredHeaders: ["date"] })).toMatchObject({ ok: false, reason: "missing_required_header" });
  });

  it("refetches the key once through refreshKey", async () => {
    const old = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const req = handSigned(FULL, P, rsa.privateKey);
    expect(await verifyRfc9421(req, { resolveKey: async () => old.publicKey, refreshKey: async () => rsa.publicKey, now: NOW })).toMatchObject({ ok: true });
  });

  it("looks up no key for a request it refuses on its face", async () => {
    let lookups = 0;
    const counting = async () => {
      lookups++;
      return rsa.publicKey;
    };
    await verifyRfc9421(handSigned(FULL, `;created=${CREATED - 7200};keyid="${KEY_ID}"`, rsa.privateKey), { resolveKey: counting, now: NOW });
    await verifyRfc9421(handSigned(["@method"], P, rsa.privateKey), { resolveKey: counting, now: NOW });
    await verifyRfc9421(handSigned(FULL, `${P};alg="hmac-sha256"`, rsa.privateKey), { resolveKey: counting, now: NOW });
    expect(lookups).toBe(0);
  });
});
