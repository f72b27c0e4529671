import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign, verify, webcrypto } from "node:crypto";
import { decodeMultibase, encodeMultibase, exportMultibaseKey, importMultibaseKey } from "@fedify/fedify";
import { describe, expect, it } from "vitest";
import { importEd25519Seed } from "./ed25519-keys";
import {
  decodeBase58btc,
  decodeMultibaseBase58btc,
  didKeyFromEd25519,
  ed25519PublicKeyToMultibase,
  encodeBase58btc,
  encodeMultibaseBase58btc,
  exportEd25519PublicKeyBytes,
  multibaseToEd25519PublicKey,
  parseDidKey,
} from "./multibase";

// protocols.md §3: bovine's published Moo-Auth-1 vectors.
const VECTOR_SECRET = "z3u2Yxcowsarethebestcowsarethebestcowsarethebest";
const VECTOR_DID = "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5";
const VECTOR_GET_SIGNATURE = "z5ahdHCbP9aJEsDtvG1MEZpxPzuvGKYcdXdKvMq5YL21Z2umxjs1SopCY2Ap8vZxVjTEf6dYbGuB7mtgcgUyNdBLe";
const VECTOR_POST_DIGEST = "sha-256=MILb5lUDD6Z0pDSxhgxj+hMBEw0uTzP3g2qUJGHMp9k=";
const VECTOR_POST_SIGNATURE = "z4vPkJaoaSVQp5DrMb8EvCajJcerW36rsyWDELTWQ3cYmaonnGfb8WHiwH54BShidCcmpoyHjanVRYNrXXXka4jAn";

function vectorKeyPair() {
  const secret = decodeMultibaseBase58btc(VECTOR_SECRET);
  if (!secret.ok) throw new Error("the vector secret does not decode");
  return { secret: secret.bytes, ...importEd25519Seed(secret.bytes.subarray(2)) };
}

function ed25519PublicKeyWithCodec(codec: number[], keyBytes: Uint8Array): string {
  return encodeMultibaseBase58btc(Uint8Array.from([...codec, ...keyBytes]));
}

describe("base58btc", () => {
  // Bitcoin Core's base58_encode_decode.json and the IETF base58 draft's examples.
  it.each([
    ["", ""],
    ["61", "2g"],
    ["626262", "a3gV"],
    ["636363", "aPEr"],
    ["73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"],
    ["00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"],
    ["516b6fcd0f", "ABnLTmg"],
    ["bf4f89001e670274dd", "3SEo3LWLoPntC"],
    ["572e4794", "3EFU7m"],
    ["ecac89cad93923c02321", "EJDM8drfXA6uyA"],
    ["10c8511e", "Rt5zm"],
    ["00000000000000000000", "1111111111"],
    [Buffer.from("Hello World!").toString("hex"), "2NEpo7TZRRrLZSi2U"],
    [Buffer.from("The quick brown fox jumps over the lazy dog.").toString("hex"), "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"],
    ["0000287fb4cd", "11233QC4"],
  ])("encodes and decodes %s ↔ %j", (hex, text) => {
    expect(encodeBase58btc(Buffer.from(hex, "hex"))).toBe(text);
    expect(Buffer.from(decodeBase58btc(text)!).toString("hex")).toBe(hex);
    expect(encodeMultibaseBase58btc(Buffer.from(hex, "hex"))).toBe(`z${text}`);
  });

  it("round-trips random bytes, leading zeros included, and agrees with Fedify's multibase", () => {
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.concat([Buffer.alloc(i % 4), randomBytes(i % 70)]);
      const ours = encodeMultibaseBase58btc(bytes);
      expect(Buffer.from(decodeBase58btc(ours.slice(1))!)).toEqual(bytes);
      expect(new TextDecoder().decode(encodeMultibase("base58btc", bytes))).toBe(ours);
      expect(Buffer.from(decodeMultibase(ours))).toEqual(bytes);
    }
  });

  it.each(["0", "O", "I", "l", "+", "/", " ", "2g ", "é", "2g\n", "-"])("refuses %j (outside the alphabet)", (text) => {
    expect(decodeBase58btc(text)).toBeNull();
    expect(decodeMultibaseBase58btc(`z${text}`)).toEqual({ ok: false, reason: "bad_base58" });
  });

  it.each(["", "2g", "f61", "u6Mk", "Z2g", "mYQ=="])("refuses %j as base58btc multibase (no z)", (text) => {
    expect(decodeMultibaseBase58btc(text)).toEqual({ ok: false, reason: "wrong_prefix" });
  });
});

describe("did:key and multikey (Ed25519)", () => {
  it("derives the published did:key from the published secret", () => {
    const { secret, publicKey, privateKey } = vectorKeyPair();
    expect(secret.length).toBe(34);
    expect([...secret.subarray(0, 2)]).toEqual([0x80, 0x26]); // multicodec ed25519-priv
    expect(didKeyFromEd25519(publicKey)).toBe(VECTOR_DID);
    expect(didKeyFromEd25519(privateKey)).toBe(VECTOR_DID); // a private key gives its public half
    expect(ed25519PublicKeyToMultibase(publicKey)).toBe(VECTOR_DID.slice("did:key:".length));
  });

  it("parses the published did:key back to the same key", () => {
    const { publicKey } = vectorKeyPair();
    const parsed = parseDidKey(VECTOR_DID);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.multibase).toBe("z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5");
    expect(parsed.publicKey.equals(publicKey)).toBe(true);
  });

  it("checks the published X-Moo-Signature vectors (pure Ed25519 over the lines joined by \\n)", () => {
    const { publicKey, privateKey } = vectorKeyPair();
    const body = '{"cows": "good"}';
    expect(`sha-256=${createHash("sha256").update(body).digest("base64")}`).toBe(VECTOR_POST_DIGEST);
    const cases = [
      { lines: ["(request-target): get /path/to/resource", "host: myhost.tld", "date: Wed, 15 Mar 2023 17:28:15 GMT"], signature: VECTOR_GET_SIGNATURE },
      {
        lines: ["(request-target): post /path/to/resource", "host: myhost.tld", "date: Wed, 15 Mar 2023 17:28:15 GMT", `digest: ${VECTOR_POST_DIGEST}`],
        signature: VECTOR_POST_SIGNATURE,
      },
    ];
    const parsed = parseDidKey(VECTOR_DID);
    if (!parsed.ok) throw new Error(parsed.reason);
    for (const { lines, signature } of cases) {
      const signingString = Buffer.from(lines.join("\n"), "utf8");
      const decoded = decodeMultibaseBase58btc(signature);
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.bytes.length).toBe(64);
      expect(verify(null, signingString, parsed.publicKey, decoded.bytes)).toBe(true);
      // Ed25519 is deterministic: our encoder reproduces the published value.
      expect(encodeMultibaseBase58btc(sign(null, signingString, privateKey))).toBe(signature);
      // One changed byte (a trailing newline) no longer verifies.
      expect(verify(null, Buffer.concat([signingString, Buffer.from("\n")]), publicKey, decoded.bytes)).toBe(false);
    }
  });

  it("agrees with Fedify's importMultibaseKey / exportMultibaseKey", async () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateKeyPairSync("ed25519");
      const ours = ed25519PublicKeyToMultibase(publicKey);
      expect(ours).toMatch(/^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
      const fedifyKey = await importMultibaseKey(ours);
      expect(KeyObject.from(fedifyKey).equals(publicKey)).toBe(true);
      const cryptoKey = await webcrypto.subtle.importKey("spki", publicKey.export({ type: "spki", format: "der" }), "Ed25519", true, ["verify"]);
      expect(await exportMultibaseKey(cryptoKey as CryptoKey)).toBe(ours);
      const back = multibaseToEd25519PublicKey(ours);
      expect(back.ok && back.publicKey.equals(publicKey)).toBe(true);
    }
  });

  it("exports the 32 raw bytes and refuses other key types", () => {
    const { publicKey } = vectorKeyPair();
    expect(exportEd25519PublicKeyBytes(publicKey)).toHaveLength(32);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(() => ed25519PublicKeyToMultibase(rsa)).toThrow(TypeError);
    expect(() => didKeyFromEd25519(generateKeyPairSync("x25519").publicKey)).toThrow(TypeError);
  });

  const key32 = Buffer.from(exportEd25519PublicKeyBytes(vectorKeyPair().publicKey));

  it.each<[string, string, string]>([
    ["x25519 (0xec 0x01), constructed", `did:key:${ed25519PublicKeyWithCodec([0xec, 0x01], key32)}`, "wrong_multicodec"],
    ["x25519 from the did:key spec", "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "wrong_multicodec"],
    ["secp256k1 (0xe7 0x01)", `did:key:${ed25519PublicKeyWithCodec([0xe7, 0x01], Buffer.concat([Buffer.from([2]), key32]))}`, "wrong_multicodec"],
    ["0xed with another second byte", `did:key:${ed25519PublicKeyWithCodec([0xed, 0x02], key32)}`, "wrong_multicodec"],
    ["a raw key without multicodec", `did:key:${encodeMultibaseBase58btc(key32)}`, "wrong_multicodec"],
    ["31 key bytes", `did:key:${ed25519PublicKeyWithCodec([0xed, 0x01], key32.subarray(1))}`, "wrong_length"],
    ["33 key bytes", `did:key:${ed25519PublicKeyWithCodec([0xed, 0x01], Buffer.concat([key32, Buffer.from([1])]))}`, "wrong_length"],
    ["the codec alone", `did:key:${ed25519PublicKeyWithCodec([0xed, 0x01], new Uint8Array(0))}`, "wrong_length"],
    ["a lone 0xed", `did:key:${encodeMultibaseBase58btc(Uint8Array.from([0xed]))}`, "wrong_length"],
    ["nothing after z", "did:key:z", "wrong_length"],
    ["a very long value", `did:key:z${"2".repeat(5000)}`, "wrong_length"],
    ["the published did cut short (still z6Mk…)", VECTOR_DID.slice(0, -6), "wrong_length"],
    ["the published did with two digits too many", `${VECTOR_DID}xx`, "wrong_length"],
    ["the bare z6Mk prefix", "did:key:z6Mk", "wrong_length"],
    ["a 0 in the key", "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqp0S", "bad_base58"],
    ["an l in the key", "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqplS", "bad_base58"],
    ["a trailing space", `${VECTOR_DID} `, "bad_base58"],
    ["a fragment", `${VECTOR_DID}#z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5`, "not_did_key"],
    ["a path", `${VECTOR_DID}/path`, "not_did_key"],
    ["a query", `${VECTOR_DID}?x=1`, "not_did_key"],
    ["no z", "did:key:6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5", "not_did_key"],
    ["base64url multibase", `did:key:u${Buffer.concat([Buffer.from([0xed, 0x01]), key32]).toString("base64url")}`, "not_did_key"],
    ["upper case", VECTOR_DID.toUpperCase(), "not_did_key"],
    ["did:web", "did:web:example.com", "not_did_key"],
    ["a leading space", ` ${VECTOR_DID}`, "not_did_key"],
    ["the multibase alone", VECTOR_DID.slice(8), "not_did_key"],
    ["empty", "", "not_did_key"],
  ])("refuses %s", (_label, did, reason) => {
    expect(parseDidKey(did)).toEqual({ ok: false, reason });
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a number", 42],
    ["an object", { id: VECTOR_DID }],
    ["an array", [VECTOR_DID]],
  ])("refuses %s as a did:key", (_label, value) => {
    expect(parseDidKey(value)).toEqual({ ok: false, reason: "not_did_key" });
    expect(multibaseToEd25519PublicKey(value)).toEqual({ ok: false, reason: "wrong_prefix" });
  });

  it("refuses multikey values without the z prefix", () => {
    expect(multibaseToEd25519PublicKey(VECTOR_DID)).toEqual({ ok: false, reason: "wrong_prefix" });
    expect(multibaseToEd25519PublicKey(`u${Buffer.concat([Buffer.from([0xed, 0x01]), key32]).toString("base64url")}`)).toEqual({
      ok: false,
      reason: "wrong_prefix",
    });
  });

  it("never throws on random input", () => {
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(i % 50);
      const candidates = [
        `did:key:${encodeMultibaseBase58btc(Buffer.concat([Buffer.from([0xed, 0x01]), bytes]))}`,
        `did:key:z${bytes.toString("latin1")}`,
        `did:key:z6Mk${bytes.toString("base64")}`,
      ];
      for (const [n, candidate] of candidates.entries()) {
        expect(() => parseDidKey(candidate)).not.toThrow();
        const result = parseDidKey(candidate);
        // A well-formed did:key is accepted exactly when it carries 32 key bytes. The other two are
        // noise: now and then (base64 of 33 bytes is all base58 digits ~1% of the time) the noise
        // happens to decode to 0xed01 + 32 bytes, and then it is a valid key like any other.
        if (n === 0) expect(result.ok).toBe(bytes.length === 32);
        if (result.ok) expect(result.publicKey.export({ format: "jwk" }).x).toHaveLength(43);
      }
    }
  });
});
