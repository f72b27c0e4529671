import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { assertCanonicalizable, canonicalJson, CanonicalJsonError, MAX_CANONICAL_DEPTH } from "./canonical-json";

// Expected strings are written with String.raw so each backslash below is one backslash in the output.
describe("canonicalJson", () => {
  describe("strings", () => {
    it.each<[string, string, string]>([
      ["plain ASCII", "hello world", String.raw`"hello world"`],
      ["é", "café", String.raw`"caf\u00e9"`],
      ["CJK", "日本", String.raw`"\u65e5\u672c"`],
      ["an emoji as a surrogate pair", "😀", String.raw`"\ud83d\ude00"`],
      ["other astral characters", "𝄞𐍈\u{10ffff}", String.raw`"\ud834\udd1e\ud800\udf48\udbff\udfff"`],
      ["a lone high surrogate", "a\ud800b", String.raw`"a\ud800b"`],
      ["a lone low surrogate", "\udfff", String.raw`"\udfff"`],
      ["DEL", "\u007f", String.raw`"\u007f"`],
      ["U+0080, U+00A0, U+FEFF and U+FFFF", "\u0080\u00a0\ufeff\uffff", String.raw`"\u0080\u00a0\ufeff\uffff"`],
      ["quotes and backslashes", 'say "hi" \\ bye', String.raw`"say \"hi\" \\ bye"`],
      ["a slash (not escaped)", "a/b</script>", String.raw`"a/b</script>"`],
      ["the short escapes", "\n\r\t\b\f", String.raw`"\n\r\t\b\f"`],
      ["the empty string", "", `""`],
      ["printable ASCII edges", " ~", `" ~"`],
    ])("writes %s", (_label, input, expected) => {
      expect(canonicalJson(input)).toBe(expected);
    });

    it("writes every control character 0x00–0x1F like Python", () => {
      const controls = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join("");
      expect(canonicalJson(controls)).toBe(
        String.raw`"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f` +
          String.raw`\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"`,
      );
    });
  });

  describe("numbers", () => {
    it.each<[number, string]>([
      [0, "0"],
      [-0, "0"],
      [1, "1"],
      [42, "42"],
      [-17, "-17"],
      [9007199254740991, "9007199254740991"],
      [-9007199254740991, "-9007199254740991"],
      [0.5, "0.5"],
      [1.5, "1.5"],
      [-2.25, "-2.25"],
      [0.1, "0.1"],
      [0.1 + 0.2, "0.30000000000000004"],
      [1e-7, "1e-07"],
      [0.000001, "1e-06"],
      [0.00001, "1e-05"],
      [0.000015, "1.5e-05"],
      [0.0001, "0.0001"],
      [-0.00012, "-0.00012"],
      [123456789.123, "123456789.123"],
      [1234567890123456.7, "1234567890123456.8"],
      [1e21, "1e+21"],
      [-1e21, "-1e+21"],
      [1.5e300, "1.5e+300"],
      [2e-300, "2e-300"],
      [5e-324, "5e-324"],
      [Number.MAX_VALUE, "1.7976931348623157e+308"],
      [Number.EPSILON, "2.220446049250313e-16"],
    ])("writes %s as %s", (input, expected) => {
      expect(canonicalJson(input)).toBe(expected);
    });
  });

  describe("structure", () => {
    it("writes literals and empty containers", () => {
      expect(canonicalJson(true)).toBe("true");
      expect(canonicalJson(false)).toBe("false");
      expect(canonicalJson(null)).toBe("null");
      expect(canonicalJson({})).toBe("{}");
      expect(canonicalJson([])).toBe("[]");
      expect(canonicalJson([{}, [], [[]]])).toBe("[{},[],[[]]]");
    });

    it("sorts keys at every level and writes no spaces", () => {
      const value = { b: 1, a: [3, { z: null, y: [true, false] }], c: { e: "x", d: { g: 1, f: 2 } } };
      expect(canonicalJson(value)).toBe(String.raw`{"a":[3,{"y":[true,false],"z":null}],"b":1,"c":{"d":{"f":2,"g":1},"e":"x"}}`);
    });

    it("sorts keys by code point, not by UTF-16 code unit", () => {
      // UTF-16 order would put 😀 (0xD83D…) before U+FFFF; Python's code point order does not.
      const value = { "😀": 2, "\uffff": 1, a: 3, B: 4, "": 5, "\ue000": 6, "\ud7ff": 7 };
      expect(canonicalJson(value)).toBe(String.raw`{"":5,"B":4,"a":3,"\ud7ff":7,"\ue000":6,"\uffff":1,"\ud83d\ude00":2}`);
    });

    it("sorts a lone surrogate key as its own code point, below U+E000 and astral characters", () => {
      const value = { "\ud83d\ude00": 1, "\ud83d": 2, "\ud83dz": 3, "\ufb01": 4 };
      expect(canonicalJson(value)).toBe(String.raw`{"\ud83d":2,"\ud83dz":3,"\ufb01":4,"\ud83d\ude00":1}`);
    });

    it("sorts prefixes first", () => {
      expect(canonicalJson({ ab: 1, a: 2, abc: 3 })).toBe(`{"a":2,"ab":1,"abc":3}`);
    });

    it("escapes keys like values", () => {
      expect(canonicalJson({ 'k"\\é\n': "v" })).toBe(String.raw`{"k\"\\\u00e9\n":"v"}`);
    });

    it("accepts null-prototype objects and an own __proto__ key", () => {
      const bare = Object.create(null) as Record<string, unknown>;
      bare.x = 1;
      expect(canonicalJson(bare)).toBe(`{"x":1}`);
      expect(canonicalJson(JSON.parse(`{"__proto__":{"a":1},"b":2}`))).toBe(`{"__proto__":{"a":1},"b":2}`);
    });

    it("allows nesting 64 deep", () => {
      expect(canonicalJson(nestArrays(MAX_CANONICAL_DEPTH))).toBe("[".repeat(64) + "]".repeat(64));
    });
  });

  describe("refusals", () => {
    it.each<[string, unknown, string]>([
      ["2**53 as an integer", { n: 2 ** 53 }, "n"],
      ["-(2**53) as an integer", [-(2 ** 53)], "[0]"],
      ["1e20 (written as 21 digits)", 1e20, ""],
      ["NaN", { metadata: { x: NaN } }, "metadata.x"],
      ["Infinity", { a: [1, Infinity] }, "a[1]"],
      ["-Infinity", -Infinity, ""],
      ["undefined inside an object", { metadata: { x: undefined } }, "metadata.x"],
      ["undefined at the top", undefined, ""],
      ["a function", { f: () => 1 }, "f"],
      ["a symbol value", { s: Symbol("s") }, "s"],
      ["a symbol key", { [Symbol("k")]: 1 }, ""],
      ["a bigint", { big: 1n }, "big"],
      ["a Date", { when: new Date(0) }, "when"],
      [
        "a class instance",
        {
          inst: new (class Point {
            x = 1;
          })(),
        },
        "inst",
      ],
      ["a Map", new Map([["a", 1]]), ""],
      ["a boxed string", { s: new String("x") }, "s"],
      ["a typed array", { bytes: new Uint8Array(2) }, "bytes"],
      ["a sparse array", { list: [1, , 3] }, "list[1]"],
      ["an odd key", { "a b": { "": NaN } }, `["a b"][""]`],
      ["65-deep nesting", nestArrays(65), "[0]".repeat(64)],
    ])("refuses %s, naming its path", (_label, value, path) => {
      let error: unknown;
      try {
        canonicalJson(value);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CanonicalJsonError);
      expect((error as CanonicalJsonError).path).toBe(path);
      expect((error as CanonicalJsonError).message.startsWith(`${path === "" ? "value" : path}: `)).toBe(true);
    });

    it("refuses every integer JSON.stringify writes as bare digits beyond 2^53−1, and no float", () => {
      const random = createRandom(99);
      for (let i = 0; i < 500; i++) {
        const big = (random() < 0.5 ? -1 : 1) * 2 ** (53 + random() * 16.7); // |x| in [2^53, 1e21)
        expect(String(big)).toMatch(/^-?\d+$/);
        expect(() => canonicalJson(big)).toThrow(CanonicalJsonError);
        const huge = big * 1e6; // from 1e21 on JS writes exponent form, which Python reads as a float
        expect(() => canonicalJson(huge)).not.toThrow();
      }
    });

    it("refuses a cycle through the depth limit", () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      expect(() => canonicalJson(loop)).toThrow(CanonicalJsonError);
    });
  });
});

describe("assertCanonicalizable", () => {
  it("names the path under the given root", () => {
    expect(() => assertCanonicalizable({ x: NaN }, "metadata")).toThrow(new CanonicalJsonError("metadata.x", "NaN has no JSON form"));
    expect(() => assertCanonicalizable({ list: [{ y: 2 ** 60 }] }, "metadata")).toThrow(/^metadata\.list\[0\]\.y: /);
  });

  it("accepts what canonicalJson writes", () => {
    expect(() => assertCanonicalizable({ a: [1, "é", { b: null }] }, "metadata")).not.toThrow();
  });

  it("takes a smaller depth limit for values nested inside an activity", () => {
    expect(() => assertCanonicalizable(nestArrays(63), "metadata", { maxDepth: MAX_CANONICAL_DEPTH - 2 })).toThrow(CanonicalJsonError);
    expect(() => assertCanonicalizable(nestArrays(62), "metadata", { maxDepth: MAX_CANONICAL_DEPTH - 2 })).not.toThrow();
  });
});

// The second, independent implementation: Python's json module itself, fed the bytes we would serve.
const python = spawnSync("python3", ["-c", "import json"], { encoding: "utf8" });
const hasPython = python.status === 0;
if (!hasPython) console.warn("python3 is not available: skipping the cross-check against Python's json.dumps");

describe.skipIf(!hasPython)("canonicalJson against python3 json.dumps", () => {
  it("agrees on fixed and randomized values", () => {
    const seeds = [1, 2, 3, 0x5eed, Date.now() >>> 0 || 7];
    const values: unknown[] = [...fixedSamples()];
    for (const seed of seeds) values.push(...randomSamples(seed, 400));
    const expected = runPythonDumps(values);
    const mismatches: { seed: string; served: string; ours: string; python: string }[] = [];
    values.forEach((value, i) => {
      const ours = canonicalJson(value);
      if (ours !== expected[i]) mismatches.push({ seed: `seeds ${seeds.join(",")}`, served: JSON.stringify(value), ours, python: expected[i] });
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(expected.length).toBe(values.length);
  });
});

function runPythonDumps(values: readonly unknown[]): string[] {
  const script = [
    "import json, sys",
    "data = sys.stdin.buffer.read().decode('utf-8')",
    "out = [json.dumps(json.loads(line), sort_keys=True, separators=(',', ':')) for line in data.split('\\n')]",
    "sys.stdout.write('\\n'.join(out))",
  ].join("\n");
  // JSON.stringify escapes line breaks and lone surrogates, so each value is one well-formed line.
  const input = values.map((v) => JSON.stringify(v)).join("\n");
  const run = spawnSync("python3", ["-c", script], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return run.stdout.split("\n");
}

function fixedSamples(): unknown[] {
  const everyControl = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join("");
  return [
    'café 日本 😀 \u007f \u0080 \uffff \ud800 \udfff / \\ "',
    everyControl,
    { "😀": 2, "\uffff": 1, a: 3, B: 4, "": 5, "\ue000": 6, "\ud7ff": 7, "\ud83d": 8, "\ud83dz": 9 },
    [0, -0, 1, -1, 42, 9007199254740991, -9007199254740991, 0.5, 1.5, -2.25, 0.1, 1e-7, 0.000001, 0.00001, 0.0001],
    [123456789.123, 1e21, -1e21, 1.5e300, 2e-300, 5e-324, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON],
    [1e15 + 0.5, 1234567890123456.7, 4503599627370495.5, 0.1 + 0.2, 1 / 3, 2 / 3, 100.25, 1e-5 * 3],
    [true, false, null, {}, [], [[]], { a: {} }],
    nestArrays(MAX_CANONICAL_DEPTH),
    { nested: { b: [1, { d: 4, c: 3 }], a: "x" }, "\u00e9": "é", e: "e" },
  ];
}

/** Whether canonicalJson accepts a number: finite, and a safe integer when JSON.stringify writes bare digits. */
function isWritable(x: number): boolean {
  return Number.isFinite(x) && !(Number.isInteger(x) && Math.abs(x) < 1e21 && !Number.isSafeInteger(x));
}

function nestArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

// A small deterministic PRNG (mulberry32) so a failing seed can be replayed.
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSamples(seed: number, count: number): unknown[] {
  const random = createRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];

  const randomChar = (): string => {
    switch (int(8)) {
      case 0:
        return String.fromCharCode(int(0x20)); // control
      case 1:
        return String.fromCharCode(0x20 + int(0x60)); // printable ASCII and DEL
      case 2:
        return String.fromCharCode(0x80 + int(0x780)); // Latin, Greek, Cyrillic…
      case 3:
        return String.fromCharCode(0xd800 + int(0x800)); // a lone surrogate (or half a pair by chance)
      case 4:
        return String.fromCharCode(0xe000 + int(0x2000)); // private use to U+FFFF
      case 5:
        return String.fromCodePoint(0x10000 + int(0x100000)); // astral
      case 6:
        return pick(['"', "\\", "/", "\n", "\u2028", "\u2029", "\ufeff", "😀"]);
      default: {
        const cp = int(0x110000); // anywhere
        return cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
    }
  };
  const randomString = (max: number): string => Array.from({ length: int(max + 1) }, randomChar).join("");

  const view = new DataView(new ArrayBuffer(8));
  const randomNumber = (): number => {
    switch (int(5)) {
      case 0:
      case 1: // any finite double, from its bit pattern
        view.setUint32(0, int(2 ** 32));
        view.setUint32(4, int(2 ** 32));
        return view.getFloat64(0);
      case 2: // around Python's switch to exponent form (1e-5, 1e16) and JS's (1e-6, 1e21)
        return (random() - 0.5) * 10 ** pick([-7, -6, -5, -4, -3, 15, 16, 17, 21, 22]);
      case 3:
        return Number((random() * 1000 - 500).toFixed(int(6)));
      default:
        return random() * 10 ** (int(40) - 20);
    }
  };
  const randomFloat = (): number => {
    for (;;) {
      const x = randomNumber();
      if (isWritable(x)) return x;
    }
  };
  const randomScalar = (): unknown => {
    switch (int(6)) {
      case 0:
        return randomString(12);
      case 1:
        return randomFloat();
      case 2:
        return (random() < 0.5 ? -1 : 1) * Math.floor(random() * Number.MAX_SAFE_INTEGER);
      case 3:
        return int(2001) - 1000;
      case 4:
        return pick([true, false, null]);
      default:
        return randomString(3);
    }
  };
  const randomValue = (depth: number): unknown => {
    const roll = random();
    if (depth >= 6 || roll < 0.5) return randomScalar();
    if (roll < 0.75) return Array.from({ length: int(5) }, () => randomValue(depth + 1));
    const record: Record<string, unknown> = {};
    const size = int(6);
    for (let i = 0; i < size; i++) record[random() < 0.3 ? pick(["a", "b", "A", "😀", "\uffff", "\ud83d", "é"]) : randomString(4)] = randomValue(depth + 1);
    return record;
  };

  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    out.push(randomValue(0), randomString(24), randomFloat(), randomFloat());
  }
  return out;
}
