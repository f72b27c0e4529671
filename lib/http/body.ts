import type { z } from "zod";
import { AppError } from "./errors";

/** Largest request body any endpoint accepts (product.md §9). */
export const MAX_BODY_BYTES = 1024 * 1024;

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

class ProtoKeyError extends Error {}

/**
 * Parses bytes as JSON; 400 `malformed_json` when they are not. A `__proto__` key is refused (400):
 * copying such an object would silently drop it (or worse, reach a prototype), so data a client
 * sent could vanish from what we sign.
 */
export function parseJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (!text.trim()) throw new AppError("malformed_json", "The request body is empty; a JSON object was expected.");
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === "__proto__") throw new ProtoKeyError();
      return value;
    });
  } catch (err) {
    if (err instanceof ProtoKeyError) throw new AppError("invalid_request", "JSON objects must not have a key named __proto__.");
    throw new AppError("malformed_json", `The request body is not valid JSON (${(err as Error).message}).`);
  }
}

/**
 * Reads a JSON body (≤ 1 MiB) and validates it with a schema: 413 when too large, 400 when it is
 * not JSON or does not match. Unknown fields are dropped by the schemas, never an error.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const value = parseJson(await readBodyBytes(req));
  return schema.parse(value);
}

/**
 * Reads a body that may be JSON or an HTML form (`application/x-www-form-urlencoded`), as the
 * renderer endpoints accept both, and validates it like readJson.
 */
export async function readJsonOrForm<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const bytes = await readBodyBytes(req);
  const type = req.headers.get("content-type") ?? "";
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return schema.parse(Object.fromEntries(new URLSearchParams(new TextDecoder().decode(bytes))));
  }
  if (bytes.byteLength === 0) return schema.parse({});
  return schema.parse(parseJson(bytes));
}
