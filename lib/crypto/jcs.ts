// The JSON Canonicalization Scheme, RFC 8785 (what eddsa-jcs-2022 hashes). Not the Python-style
// canonical JSON of canonical-json.ts: JCS writes characters as they are (only `"`, `\` and control
// characters are escaped, as JSON.stringify does), numbers in ECMAScript form, and sorts member names
// by UTF-16 code units (not code points).

/** How deeply objects and arrays may nest (the outermost container is level 1). */
export const MAX_JCS_DEPTH = 128;

/** A value that RFC 8785 cannot write (NaN, Infinity, lone surrogates, undefined, non-plain objects…). */
export class JcsError extends Error {
  /** Where the value sits, e.g. `object.name` or `to[2]`; empty for the value itself. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path === "" ? "value" : path}: ${problem}`);
    this.name = "JcsError";
    this.path = path;
  }
}

/**
 * Writes `value` in RFC 8785 canonical form.
 * @throws {JcsError} for a value with no I-JSON form: NaN or ±Infinity, a string with a lone
 *   surrogate, undefined, a function, symbol or bigint, an object that is not plain (Date, Map…),
 *   a sparse array, or nesting deeper than {@link MAX_JCS_DEPTH}.
 */
export function canonicalizeJcs(value: unknown): string {
  return writeValue(value, "", 0);
}

function writeValue(value: unknown, path: string, depth: number): string {
  switch (typeof value) {
    case "string":
      return writeString(value, path);
    case "number":
      if (!Number.isFinite(value)) throw new JcsError(path, `${value} has no JSON form`);
      // ECMAScript Number-to-String, which RFC 8785 §3.2.2.3 adopts; -0 becomes 0.
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw new JcsError(path, `${typeof value} has no JSON form`);
  }
  if (value === null) return "null";
  if (depth + 1 > MAX_JCS_DEPTH) throw new JcsError(path, `nested deeper than ${MAX_JCS_DEPTH} levels`);
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new JcsError(`${path}[${i}]`, "a hole in a sparse array has no JSON form");
      parts.push(writeValue(value[i], `${path}[${i}]`, depth + 1));
    }
    return `[${parts.join(",")}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new JcsError(path, "not a plain object");
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
  const names = Object.keys(record).sort();
  const members = names.map((name) => {
    const memberPath = path === "" ? name : `${path}.${name}`;
    return `${writeString(name, memberPath)}:${writeValue(record[name], memberPath, depth + 1)}`;
  });
  return `{${members.join(",")}}`;
}

function writeString(text: string, path: string): string {
  if (!text.isWellFormed()) throw new JcsError(path, "a string with a lone surrogate is not valid Unicode");
  return JSON.stringify(text);
}
