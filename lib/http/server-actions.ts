// Screening of Next.js server-action requests before Next sees them. Next 16 answers 500 to a
// server-action POST with a foreign, `null` or malformed Origin, a body that is not the JSON it
// expects, or a multipart body that ends early (vercel/next.js#92703, #86945, #95447): the error
// is thrown inside its action handler, where no app code runs. The front server (scripts/start.ts)
// calls these on every request and answers the 4xx itself; a request that passes goes to Next
// unchanged. Web-standard Headers and bytes only; nothing here knows Next beyond its wire format.
import { AppError } from "@/lib/errors";

function mediaType(headers: Headers): string {
  return (headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Whether Next would treat the request as a server-action call: a POST with `Next-Action` (the
 * fetch form), or a POST of a multipart or urlencoded form (the no-JavaScript form).
 */
export function isServerActionRequest(method: string, headers: Headers): boolean {
  if (method.toUpperCase() !== "POST") return false;
  if (headers.has("next-action")) return true;
  const type = mediaType(headers);
  return type === "multipart/form-data" || type === "application/x-www-form-urlencoded";
}

/**
 * The refusal for a server-action request whose headers Next would fail on (null when it may go
 * on): an Origin that is not a URL (400) or names another host than the one addressed (403; Next
 * compares it with `X-Forwarded-Host`, else `Host`, and so does this). Requests that are not
 * server-action calls are never refused here.
 */
export function screenServerActionHeaders(method: string, headers: Headers): AppError | null {
  if (!isServerActionRequest(method, headers)) return null;
  const origin = headers.get("origin");
  if (origin === null) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return new AppError(
      "csrf_rejected",
      `Origin: ${JSON.stringify(origin.slice(0, 100))} is not an origin; forms must be submitted from this site's own pages.`,
    );
  }
  const addressed = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!originHost || originHost !== addressed) {
    return new AppError("csrf_rejected", `Origin: ${origin.slice(0, 100)} is another site; forms must be submitted from this site's own pages.`);
  }
  return null;
}

/** The boundary of a multipart Content-Type, or null when it has none. */
function multipartBoundary(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

/**
 * Why a multipart/form-data body is not well formed (null when it is): every part opens with the
 * boundary, has a header block ending in an empty line with a `Content-Disposition: form-data;
 * name=…`, and the body ends with the closing boundary.
 */
export function multipartDefect(contentType: string, body: Uint8Array): string | null {
  const boundary = multipartBoundary(contentType);
  if (!boundary) return "the multipart Content-Type has no boundary";
  const text = Buffer.from(body).toString("latin1");
  const delimiter = `--${boundary}`;
  const first = text.startsWith(delimiter) ? 0 : text.indexOf(`\r\n${delimiter}`);
  if (first < 0) return "the body does not contain its boundary";
  const close = text.indexOf(`\r\n${delimiter}--`, first);
  const closedAtStart = text.startsWith(`${delimiter}--`);
  if (close < 0 && !closedAtStart) return "the body ends before its closing boundary";
  if (closedAtStart) return null;
  const parts = text.slice(first === 0 ? delimiter.length : first + 2 + delimiter.length, close).split(`\r\n${delimiter}`);
  for (const part of parts) {
    if (!part.startsWith("\r\n")) return "a part does not start on the line after its boundary";
    const end = part.indexOf("\r\n\r\n");
    if (end < 0) return "a part has no empty line after its headers";
    if (!/^content-disposition:\s*form-data\s*;[^\r\n]*\bname=/im.test(part.slice(2, end + 2))) {
      return "a part has no Content-Disposition: form-data with a name";
    }
  }
  return null;
}

/**
 * The refusal for a server-action request whose body Next would fail to decode (null when it may
 * go on): the fetch form's JSON argument list that is not UTF-8 JSON, or a multipart body that is
 * not well formed (multipartDefect). Call it with the whole body (≤ the body limit).
 */
export function screenServerActionBody(method: string, headers: Headers, body: Uint8Array): AppError | null {
  if (!isServerActionRequest(method, headers)) return null;
  const type = mediaType(headers);
  if (type === "multipart/form-data") {
    const defect = multipartDefect(headers.get("content-type") ?? "", body);
    return defect ? new AppError("invalid_request", `The form is not well-formed multipart/form-data: ${defect}.`) : null;
  }
  if (!headers.has("next-action") || type === "application/x-www-form-urlencoded") return null;
  try {
    JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    return null;
  } catch (err) {
    return new AppError("malformed_json", `The server-action arguments are not valid JSON (${(err as Error).message}).`);
  }
}
