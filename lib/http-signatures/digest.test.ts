import { describe, expect, it } from "vitest";
import { checkBodyDigest, contentDigestHeader, sha256DigestHeader } from "./digest";

// RFC 9530 §B / RFC 9421 examples: the 18-byte body {"hello": "world"}.
const BODY = '{"hello": "world"}';
const SHA256 = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";
const SHA512 = "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==";

const h = (init: Record<string, string>) => new Headers(init);

describe("digest headers", () => {
  it("computes the RFC 3230 Digest and RFC 9530 Content-Digest of the published example body", () => {
    expect(sha256DigestHeader(BODY)).toBe(`SHA-256=${SHA256}`);
    expect(contentDigestHeader(BODY)).toBe(`sha-256=:${SHA256}:`);
    expect(contentDigestHeader(new TextEncoder().encode(BODY))).toBe(`sha-256=:${SHA256}:`);
  });

  it("hashes the empty body too", () => {
    expect(sha256DigestHeader("")).toBe("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  });
});

describe("checkBodyDigest", () => {
  it("accepts a matching Digest", () => {
    expect(checkBodyDigest(h({ digest: `SHA-256=${SHA256}` }), BODY)).toEqual({ ok: true, kind: "digest", kinds: ["digest"] });
  });

  it("accepts a matching Content-Digest, with SHA-256 or SHA-512", () => {
    expect(checkBodyDigest(h({ "content-digest": `sha-256=:${SHA256}:` }), BODY)).toMatchObject({ ok: true, kind: "content-digest" });
    expect(checkBodyDigest(h({ "content-digest": `sha-512=:${SHA512}:` }), BODY)).toMatchObject({ ok: true, kind: "content-digest" });
    expect(checkBodyDigest(h({ digest: `SHA-512=${SHA512}` }), BODY)).toMatchObject({ ok: true, kind: "digest" });
  });

  it("treats algorithm names case-insensitively", () => {
    expect(checkBodyDigest(h({ digest: `sha-256=${SHA256}` }), BODY).ok).toBe(true);
    expect(checkBodyDigest(h({ "content-digest": `SHA-256=:${SHA256}:` }), BODY).ok).toBe(true);
  });

  it("requires both to match when both are present", () => {
    const both = { digest: `SHA-256=${SHA256}`, "content-digest": `sha-256=:${SHA256}:` };
    expect(checkBodyDigest(h(both), BODY)).toEqual({ ok: true, kind: "content-digest", kinds: ["content-digest", "digest"] });
    const other = sha256DigestHeader("something else");
    expect(checkBodyDigest(h({ ...both, digest: other }), BODY)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(checkBodyDigest(h({ ...both, "content-digest": contentDigestHeader("x") }), BODY)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(checkBodyDigest(h({ ...both, digest: "MD5=abc=" }), BODY)).toMatchObject({ ok: false, reason: "unsupported" });
  });

  it("reports a tampered body as a mismatch", () => {
    expect(checkBodyDigest(h({ digest: `SHA-256=${SHA256}` }), '{"hello": "World"}')).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("requires every supported digest in a header to match", () => {
    expect(checkBodyDigest(h({ digest: `SHA-256=${SHA256},SHA-512=${SHA256}` }), BODY)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(checkBodyDigest(h({ "content-digest": `sha-256=:${SHA256}:, sha-512=:${SHA512}:` }), BODY).ok).toBe(true);
  });

  it("ignores unknown algorithms next to a supported one, and says unsupported when only unknown ones are sent", () => {
    expect(checkBodyDigest(h({ digest: `MD5=Sd/dVLAcvNLSq16eXua5uQ==, SHA-256=${SHA256}` }), BODY).ok).toBe(true);
    expect(checkBodyDigest(h({ digest: "SHA=NZ5TTuDdPeWhJPAHkCs7oBGkt+w=" }), BODY)).toMatchObject({ ok: false, reason: "unsupported" });
  });

  it("is not fooled by algorithm names that exist on Object.prototype", () => {
    expect(checkBodyDigest(h({ digest: "constructor=abc=" }), BODY)).toMatchObject({ ok: false, reason: "unsupported" });
    expect(checkBodyDigest(h({ "content-digest": "__proto__=:abc=:" }), BODY)).toMatchObject({ ok: false, reason: "mismatch" });
    expect(checkBodyDigest(h({ "content-digest": "constructor=:YWJj:" }), BODY)).toMatchObject({ ok: false, reason: "unsupported" });
  });

  it("says missing when neither header is there", () => {
    expect(checkBodyDigest(h({}), BODY)).toMatchObject({ ok: false, reason: "missing" });
  });

  it.each(["SHA-256", "SHA-256=not base64!", "=abc", `SHA-256=${SHA256.slice(1)}`])("treats a broken Digest %j as a mismatch", (value) => {
    expect(checkBodyDigest(h({ digest: value }), BODY)).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it.each([`sha-256=${SHA256}`, `sha-256=:${SHA256}`, "sha-256"])("treats a broken Content-Digest %j as a mismatch", (value) => {
    expect(checkBodyDigest(h({ "content-digest": value }), BODY)).toMatchObject({ ok: false, reason: "mismatch" });
  });
});
