/**
 * A dynamic route segment as text. Next hands segments over percent-encoded in some cases (`:` as
 * `%3A`), so decode once; a malformed escape yields null (the page answers 404).
 */
export function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
