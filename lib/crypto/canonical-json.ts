// Python-compatible canonical JSON (protocols.md §1, step 3): exactly what
// `json.dumps(x, sort_keys=True, separators=(",", ":"))` (ensure_ascii on) writes for
// `x = json.loads(JSON.stringify(value))`, so a Python verifier hashes the same bytes we sign.

/** How deeply objects and arrays may nest (the outermost container is level 1). */
export const MAX_CANONICAL_DEPTH = 64;

/** A value that cannot be written so that a Python verifier reads and rewrites it identically. */
export class CanonicalJsonError extends Error {
  /** Where the value sits, e.g. `metadata.x` or `tags[2]`; empty for the value itself. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path === "" ? "value" : path}: ${problem}`);
    this.name = "CanonicalJsonError";
    this.path = path;
  }
}

/** Tuning for {@link canonicalJson} and {@link assertCanonicalizable}. */
export interface CanonicalJsonOptions {
  /** Path of the value itself, used in error messages (e.g. `"metadata"`). Default `""`. */
  path?: string;
  /** Deepest nesting allowed, counting the value itself as level 1. Default {@link MAX_CANONICAL_DEPTH}. */
  maxDepth?: number;
}

/**
 * Writes `value` in Python's canonical JSON form (sorted keys by code point, no spaces,
 * ensure_ascii escapes, Python number formatting).
 * @throws {CanonicalJsonError} when the value cannot round-trip identically through
 *   `JSON.stringify` and Python's `json.loads`/`json.dumps` (unsafe integers, NaN, Infinity,
 *   undefined, functions, symbols, bigints, non-plain objects, sparse arrays, too deep nesting).
 */
export function canonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string {
  const maxDepth = options.maxDepth ?? MAX_CANONICAL_DEPTH;
  return writeValue(value, options.path ?? "", 0, maxDepth);
}

/**
 * Checks that `value` can be signed (see {@link canonicalJson}); call it on user input such as
 * asset metadata so a bad value is answered with 400 instead of failing at signing time. Metadata
 * nested in an activity's `object` sits two levels down, so pass `maxDepth: MAX_CANONICAL_DEPTH - 2`.
 * @throws {CanonicalJsonError} naming the first offending path, e.g. `metadata.x`.
 */
export function assertCanonicalizable(value: unknown, path = "", options: Omit<CanonicalJsonOptions, "path"> = {}): void {
  canonicalJson(value, { ...options, path });
}

function writeValue(value: unknown, path: string, depth: number, maxDepth: number): string {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return writeNumber(value, path);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      throw new CanonicalJsonError(path, "undefined has no JSON form");
    case "bigint":
      throw new CanonicalJsonError(path, "a bigint has no JSON form");
    case "symbol":
      throw new CanonicalJsonError(path, "a symbol has no JSON form");
    case "function":
      throw new CanonicalJsonError(path, "a function has no JSON form");
  }
  if (value === null) return "null";
  if (depth + 1 > maxDepth) throw new CanonicalJsonError(path, `nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return writeArray(value, path, depth + 1, maxDepth);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // Dates, Maps, class instances, boxed primitives…: JSON.stringify would reshape or drop them.
    const name = describeObject(value as object);
    throw new CanonicalJsonError(path, `${name} is not a plain object`);
  }
  return writeObject(value as Record<string, unknown>, path, depth + 1, maxDepth);
}

function writeArray(items: readonly unknown[], path: string, depth: number, maxDepth: number): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const itemPath = `${path}[${i}]`;
    if (!(i in items)) throw new CanonicalJsonError(itemPath, "a hole in a sparse array has no JSON form");
    parts.push(writeValue(items[i], itemPath, depth, maxDepth));
  }
  return `[${parts.join(",")}]`;
}

function writeObject(record: Record<string, unknown>, path: string, depth: number, maxDepth: number): string {
  for (const symbol of Object.getOwnPropertySymbols(record)) {
    if (Object.prototype.propertyIsEnumerable.call(record, symbol)) {
      throw new CanonicalJsonError(path, `the symbol key ${String(symbol)} has no JSON form`);
    }
  }
  const keys = Object.keys(record).sort(compareCodePoints);
  const parts: string[] = [];
  for (const key of keys) {
    parts.push(`${writeString(key)}:${writeValue(record[key], joinPath(path, key), depth, maxDepth)}`);
  }
  return `{${parts.join(",")}}`;
}

// Python's short escapes; every other code unit below 0x20 or from 0x7F up becomes \uXXXX.
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

// Non-unicode regex: matches UTF-16 code units, so astral characters come out as two \u escapes
// (Python's surrogate pair) and lone surrogates as one.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

function writeString(text: string): string {
  const body = text.replace(NEEDS_ESCAPE, (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${body}"`;
}

// Python compares str by code point; JS's default sort compares UTF-16 code units, which puts
// astral characters (surrogates 0xD800–0xDFFF) before U+E000–U+FFFF. A lone surrogate stays its
// own code point in both languages.
function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

function writeNumber(n: number, path: string): string {
  if (!Number.isFinite(n)) throw new CanonicalJsonError(path, `${n} has no JSON form`);
  const written = String(n); // what JSON.stringify serves
  if (/^-?\d+$/.test(written)) {
    // Python reads bare digits as an int and prints them back unchanged; beyond 2^53−1 the digits
    // we serve may already differ from what the caller meant.
    if (!Number.isSafeInteger(n)) throw new CanonicalJsonError(path, `${written} is beyond the safe integer range ±(2^53−1)`);
    return written;
  }
  return writePythonFloatRepr(n);
}

// Python's repr(float): the shortest round-trip digits; exponent form when the decimal exponent
// is below -4 or at least 16 ("1e-05", "1.5e+300"), fixed form otherwise, ".0" on integral values.
function writePythonFloatRepr(n: number): string {
  const sign = n < 0 ? "-" : "";
  const [mantissa, exponentText] = Math.abs(n).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${head}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_$@][\w$@-]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function describeObject(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  const name = typeof ctor === "function" && typeof ctor.name === "string" && ctor.name !== "" ? ctor.name : "an object";
  return name === "an object" ? name : `a ${name}`;
}
