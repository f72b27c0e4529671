import { z } from "zod";
import { assertStorableText, parseUrlEncoded } from "./text";

/**
 * A dynamic path segment as text. Next hands some segments over still percent-encoded (`:` as
 * `%3A`) and others already decoded (`%25` as `%`), so it is decoded here when it decodes and kept
 * as given when it does not (it then names nothing: a 404). NUL or a lone surrogate, either way,
 * is a 400 naming the segment (`field`), never a database error. @throws AppError invalid_request
 */
export function decodePathParam(raw: string, field = "path"): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    value = raw;
  }
  assertStorableText(field, value);
  return value;
}

/**
 * A dynamic path segment of a page, or null when it is no text (a malformed escape, NUL, a lone
 * surrogate): pages answer their not-found page for it, as for any name that names nothing.
 */
export function pagePathParam(raw: string): string | null {
  try {
    return decodePathParam(raw);
  } catch {
    return null;
  }
}

/**
 * The query string of a request as one string per name, decoded strictly (parseUrlEncoded: a
 * malformed escape, bytes that are not UTF-8, NUL, a lone surrogate or a repeated name is a 400
 * naming the parameter). @throws AppError invalid_request
 */
export function readQuery(req: Request | URL): Record<string, string> {
  const url = req instanceof URL ? req : new URL(req.url);
  return parseUrlEncoded(url.search, "query");
}

/** The query string validated by `schema` (readQuery first). @throws AppError invalid_request; ZodError */
export function parseQuery<S extends z.ZodType>(req: Request | URL, schema: S): z.output<S> {
  return schema.parse(readQuery(req));
}

/**
 * A keyset cursor: a positive id or index this server gave out. The keys are PostgreSQL INT4, so a
 * larger number cannot be one of ours (and would fail in the database instead of answering 400).
 */
export const keysetCursorSchema = z
  .string()
  .regex(/^\d{1,10}$/, "cursor is not one this server gave out")
  .refine((s) => Number(s) <= 2_147_483_647, "cursor is not one this server gave out");

/** `limit` of a keyset-paged list: a whole number 1–100 (query strings are coerced), `fallback` when absent. */
export function pageLimitSchema(fallback: number) {
  return z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(100, "limit must be at most 100")
    .default(fallback);
}
