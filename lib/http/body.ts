import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { assertStorableJson, parseUrlEncoded } from "./text";

/** Largest request body any endpoint accepts (product.md §9). */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the raw body once, refusing more than `limit` bytes with 413 without buffering the excess. */
export async function readBodyBytes(req: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared && Number(declared) > limit) {
    throw new AppError("payload_too_large", `The request body is larger than ${limit} bytes.`);
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", `The request body is larger than ${limit} bytes.`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * Refuses a body whose Content-Type says it is something else than JSON (a form, multipart, XML,
 * an image…): 415 naming what to send. JSON is `application/json` or any `…+json`; a body without
 * Content-Type, or `text/plain` (what `fetch` and `new Request` put on a string body by default),
 * is read as JSON too, so those clients keep working.
 * @throws AppError unsupported_media_type
 */
function assertJsonContentType(contentType: string | null, also: "form" | null = null): void {
  if (!contentType || !contentType.trim()) return;
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type === "application/json" || type === "text/plain" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.-]+\+json$/.test(type)) return;
  if (also === "form" && type === "application/x-www-form-urlencoded") return;
  const expected = also === "form" ? "application/json or application/x-www-form-urlencoded" : "application/json";
  throw new AppError("unsupported_media_type", `The body is ${type}; send ${expected}.`);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Parses bytes as a JSON object; 400 `malformed_json` when they are not JSON (or not UTF-8),
 * 400 `invalid_request` naming the field when a string or key is not storable text (NUL, a lone
 * surrogate), a key is `__proto__`, the nesting is deeper than MAX_JSON_DEPTH, or the whole is not
 * an object. With `contentType` (the request's header), a non-JSON type is a 415 first.
 * @throws AppError malformed_json, invalid_request, unsupported_media_type
 */
export function parseJson(bytes: Uint8Array, contentType?: string | null): Record<string, unknown> {
  if (contentType !== undefined) assertJsonContentType(contentType);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8(bytes);
  }
  if (!text.trim()) throw new AppError("malformed_json", "The request body is empty; a JSON object was expected.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError("malformed_json", `The request body is not valid JSON (${(err as Error).message}).`);
  }
  assertStorableJson(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AppError("invalid_request", `body: must be a JSON object, not ${kindOf(value)}`, {
      fields: { body: `must be a JSON object, not ${kindOf(value)}` },
    });
  }
  return value as Record<string, unknown>;
}

/** The 400 for a body that is not UTF-8, naming the field where the bad bytes are when it can. */
function notUtf8(bytes: Uint8Array): AppError {
  const lossy = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  let field = "body";
  try {
    const stack: { v: unknown; path: string }[] = [{ v: JSON.parse(lossy), path: "" }];
    search: while (stack.length) {
      const { v, path } = stack.pop()!;
      if (typeof v === "string" && v.includes("\uFFFD")) {
        field = path || "body";
        break;
      }
      if (v && typeof v === "object") {
        for (const [k, child] of Object.entries(v)) {
          if (k.includes("\uFFFD")) {
            field = path || "body";
            break search;
          }
          stack.push({ v: child, path: path ? `${path}.${k}` : k });
        }
      }
    }
  } catch {
    // Not JSON even when decoded leniently: the whole body is named.
  }
  const message = "is not valid UTF-8 (a byte sequence that is no character, such as an encoded lone surrogate)";
  return new AppError(field === "body" ? "malformed_json" : "invalid_request", `${field}: ${message}`, { fields: { [field]: message } });
}

/**
 * Reads a JSON body (≤ 1 MiB) and validates it with a schema: 413 when too large, 415 when it is
 * not JSON, 400 when it is not a JSON object or does not match. Unknown fields are dropped by the
 * schemas, never an error.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const value = parseJson(await readBodyBytes(req), req.headers.get("content-type"));
  return schema.parse(value);
}

/**
 * The fields of a body that may be JSON or an HTML form (`application/x-www-form-urlencoded`),
 * from its raw bytes: forms are decoded strictly (parseUrlEncoded), JSON by parseJson; an empty
 * body is `{}`. @throws AppError malformed_json, invalid_request, unsupported_media_type
 */
export function parseJsonOrForm(bytes: Uint8Array, contentType: string | null): Record<string, unknown> {
  assertJsonContentType(contentType, "form");
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? "")) {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new AppError("invalid_request", "form: is not valid UTF-8", { fields: { form: "is not valid UTF-8" } });
    }
    return parseUrlEncoded(text, "form");
  }
  if (bytes.byteLength === 0) return {};
  return parseJson(bytes);
}

/**
 * Reads a body that may be JSON or an HTML form, as the renderer endpoints accept both, and
 * validates it like readJson.
 */
export async function readJsonOrForm<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  return schema.parse(parseJsonOrForm(await readBodyBytes(req), req.headers.get("content-type")));
}
