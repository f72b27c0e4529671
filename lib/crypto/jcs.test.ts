import { describe, expect, it } from "vitest";
import { canonicalizeJcs, JcsError, MAX_JCS_DEPTH } from "./jcs";

describe("canonicalizeJcs (RFC 8785)", () => {
  it("matches the RFC's §3.2.2 example (primitives, whitespace, escapes)", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalizeJcs(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts member names by UTF-16 code units (the RFC's §3.2.3 example)", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const out = canonicalizeJcs(input);
    expect(out).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // By code point (Python's sort_keys) U+FB33 would come before U+1F600: JCS differs on purpose.
    expect(out.indexOf("😀")).toBeLessThan(out.indexOf("\ufb33"));
  });

  it.each<[string, string]>([
    // Appendix B: IEEE 754 bit patterns and their serialization.
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ])("writes the double %s as %s", (bits, text) => {
    expect(canonicalizeJcs(Buffer.from(bits, "hex").readDoubleBE(0))).toBe(text);
  });

  it("writes characters as they are and escapes only what JSON must", () => {
    expect(canonicalizeJcs("Café 日本 😀 \u007f \u2028")).toBe('"Café 日本 😀 \u007f \u2028"');
    expect(canonicalizeJcs('\u0000\u0008\t\n\u000b\f\r\u001f"\\/')).toBe('"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\\"\\\\/"');
  });

  it("nests, keeps array order and leaves no whitespace", () => {
    expect(canonicalizeJcs({ b: [3, { z: null, a: [] }, "x"], a: {}, c: [[], [{}]] })).toBe('{"a":{},"b":[3,{"a":[],"z":null},"x"],"c":[[],[{}]]}');
    expect(canonicalizeJcs(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it.each<[string, unknown, string]>([
    ["NaN", { a: NaN }, "a"],
    ["Infinity", { a: [1, Infinity] }, "a[1]"],
    ["a lone high surrogate", { name: "x\ud800" }, "name"],
    ["a lone low surrogate in a name", { "\udc00": 1 }, "\udc00"],
    ["undefined", { a: { b: undefined } }, "a.b"],
    ["a function", [() => 1], "[0]"],
    ["a bigint", { n: 1n }, "n"],
    ["a symbol", { s: Symbol("x") }, "s"],
    ["a Date", { when: new Date(0) }, "when"],
    ["a Map", { m: new Map() }, "m"],
    ["a sparse array", { a: [1, , 3] }, "a[1]"],
  ])("refuses %s, naming its path", (_label, value, path) => {
    expect(() => canonicalizeJcs(value)).toThrow(JcsError);
    try {
      canonicalizeJcs(value);
    } catch (err) {
      expect((err as JcsError).path).toBe(path);
    }
  });

  it("refuses nesting deeper than MAX_JCS_DEPTH, without overflowing the stack", () => {
    const nest = (depth: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    expect(() => canonicalizeJcs(nest(MAX_JCS_DEPTH))).not.toThrow();
    expect(() => canonicalizeJcs(nest(MAX_JCS_DEPTH + 1))).toThrow(JcsError);
    expect(() => canonicalizeJcs(JSON.parse("[".repeat(100_000) + "]".repeat(100_000)))).toThrow(JcsError);
  });

  it("round-trips: the output parses back to an equal value and is its own canonical form", () => {
    const value = { z: [1.5, -0.25, 1e21, 1e-7, "ü\n"], a: { "😀": true, é: null, "": "" } };
    const out = canonicalizeJcs(value);
    expect(JSON.parse(out)).toEqual(value);
    expect(canonicalizeJcs(JSON.parse(out))).toBe(out);
  });
});
