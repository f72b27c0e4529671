import { z } from "zod";

/**
 * A dynamic path segment as text. Next hands some segments over still percent-encoded (`:` as
 * `%3A`); a malformed escape is kept as typed and simply names nothing (a 404, never a 500).
 */
export function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
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
