// Text a client sends must be text we can store and sign: PostgreSQL refuses NUL in `text` and
// `jsonb` (an error that would surface as a 500), and a lone UTF-16 surrogate has no UTF-8 form, so
// the driver would store U+FFFD instead, and a signature over the original would no longer match
// what is stored. Every input (JSON bodies, forms, query strings, path segments, server-action
// forms) is checked here, at the boundary, before any schema or database sees it.
import { z } from "zod";
import { AppError } from "@/lib/errors";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deepest nesting of arrays and objects a JSON body may have (our own documents need fewer than 10). */
export const MAX_JSON_DEPTH = 64;

/** Why `value` cannot be stored or signed as text, in words, or null when it can. */
export function textDefect(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(value)) return "must not contain an unpaired UTF-16 surrogate (U+D800–U+DFFF)";
  return null;
}

/** A problem found in a client's input: which field (dotted path, `body` for the whole) and why. */
export interface InputProblem {
  field: string;
  message: string;
}

/** The 400 for a problem, naming the field in the message and in `fields` (as zod errors do). */
function inputProblemError(problem: InputProblem): AppError {
  return new AppError("invalid_request", `${problem.field}: ${problem.message}`, { fields: { [problem.field]: problem.message } });
}

function joinPath(parent: string, key: string | number): string {
  return parent ? `${parent}.${key}` : String(key);
}

/**
 * The first string or object key in a parsed JSON value that is not storable text, an object key
 * `__proto__` (copying such an object would drop it, or reach a prototype; `allowProtoKeys` for
 * documents that deliberately keep it as data), or nesting deeper than MAX_JSON_DEPTH. Iterative,
 * so a hostile 100 000-level document cannot exhaust the stack.
 */
export function findJsonProblem(value: unknown, root = "", allowProtoKeys = false): InputProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === "string") {
      const defect = textDefect(v);
      if (defect) return { field: path || "body", message: defect };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) {
      // Named by the outermost field it sits in: the full path would be as deep as the nesting.
      const outermost = root ? root : Array.isArray(value) ? "" : path.split(".")[0];
      return { field: outermost || "body", message: `is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: joinPath(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (const key of keys) {
      const defect = textDefect(key);
      if (defect) return { field: path || "body", message: `has a key ${JSON.stringify(key)} that ${defect}` };
      if (key === "__proto__" && !allowProtoKeys) return { field: path || "body", message: "must not have a key named __proto__" };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push({ value: (v as Record<string, unknown>)[keys[i]], path: joinPath(path, keys[i]), depth: depth + 1 });
    }
  }
  return null;
}

/** Throws the 400 naming the first field of `value` that findJsonProblem refuses. @throws AppError invalid_request */
export function assertStorableJson(value: unknown, root = "", allowProtoKeys = false): void {
  const problem = findJsonProblem(value, root, allowProtoKeys);
  if (problem) throw inputProblemError(problem);
}

/** Throws the 400 when one named string is not storable text. @throws AppError invalid_request */
export function assertStorableText(field: string, value: string): void {
  const defect = textDefect(value);
  if (defect) throw inputProblemError({ field, message: defect });
}

/**
 * Decodes one `application/x-www-form-urlencoded` component (`+` is a space) as strict UTF-8:
 * null when a `%` escape is malformed or the bytes are not UTF-8 (URLSearchParams would keep the
 * `%` as typed or put U+FFFD in, silently changing what the client sent).
 */
function decodeFormComponent(raw: string): string | null {
  const bytes: number[] = [];
  const s = raw.replace(/\+/g, " ");
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // A raw non-ASCII character (a client that did not escape it): its own UTF-8 bytes.
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (textDefect(ch)) return null;
      for (const b of Buffer.from(ch, "utf8")) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/**
 * Parses a query string or urlencoded form into one string per name: a malformed escape, bytes
 * that are not UTF-8, NUL, a lone surrogate or a name given twice is a 400 naming the field
 * (`where` says which part of the request: "query" or "form").
 * @throws AppError invalid_request
 */
export function parseUrlEncoded(text: string, where: "query" | "form"): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const s = text.startsWith("?") ? text.slice(1) : text;
  if (!s) return {};
  for (const pair of s.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    const name = decodeFormComponent(rawName);
    if (name === null) {
      throw inputProblemError({
        field: where,
        message: `has a parameter name that is not valid percent-encoded UTF-8 (${JSON.stringify(rawName.slice(0, 40))})`,
      });
    }
    const nameDefect = textDefect(name);
    if (nameDefect) throw inputProblemError({ field: where, message: `has a parameter name that ${nameDefect}` });
    if (name === "__proto__") throw inputProblemError({ field: where, message: "must not have a parameter named __proto__" });
    const value = decodeFormComponent(rawValue);
    if (value === null) throw inputProblemError({ field: name, message: "is not valid percent-encoded UTF-8" });
    assertStorableText(name, value);
    if (name in out) throw inputProblemError({ field: name, message: `is given more than once in the ${where}; give it once` });
    out[name] = value;
  }
  return { ...out };
}

/**
 * `schema`, refusing first (before any inner schema recurses) any string or key that findJsonProblem
 * refuses, as a zod issue on that field. The input schemas of lib/ are wrapped in it, so a caller
 * that did not come through parseJson (a server action's form, a script) gets the same 400.
 */
export function storableInput<S extends z.ZodType>(schema: S) {
  return z.preprocess((value, zctx) => {
    const problem = findJsonProblem(value);
    if (problem) {
      zctx.addIssue({ code: "custom", message: problem.message, path: problem.field === "body" ? [] : problem.field.split("."), input: value });
    }
    return value;
  }, schema);
}
