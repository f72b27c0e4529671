import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { errorMessage, getLogger } from "@/lib/log";

/** A JSON response with the given status and headers. */
export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "content-type": "application/json; charset=utf-8", ...init.headers },
  });
}

/** Turns zod issues into one message and a per-field map (first issue per field). */
export function describeZodError(err: ZodError): { message: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.join(".") : "body";
    fields[key] ??= issue.message;
  }
  const message = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  return { message: message || "invalid request", fields };
}

/** Seconds a client is told to wait (`Retry-After`) while the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The message of a 503 `database_unavailable` (also shown by the pages). */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable right now (restarting or unreachable). Try again in a few seconds.";

/**
 * Maps an error to the `{error, message}` response: AppError → its status, zod → 400, the database
 * unreachable (restart, outage, no connection in time) → 503 with Retry-After, anything else → a
 * logged 500.
 */
function errorResponse(err: unknown, requestId: string, where: string): Response {
  if (isAppError(err)) {
    const body: Record<string, unknown> = { error: err.code, message: err.message };
    if (err.extra.fields) body.fields = err.extra.fields;
    return json(body, { status: err.status, headers: { ...err.extra.headers, "x-request-id": requestId } });
  }
  if (err instanceof ZodError) {
    const { message, fields } = describeZodError(err);
    return json({ error: "invalid_request", message, fields }, { status: 400, headers: { "x-request-id": requestId } });
  }
  if (isDatabaseUnavailable(err)) {
    // Expected while PostgreSQL restarts: one line, no stack. A write that failed here was rolled back.
    getLogger().warn({ component: "db", reqId: requestId, where }, `database unavailable (${errorMessage(err).split("\n").pop()})`);
    return json(
      { error: "database_unavailable", message: DATABASE_UNAVAILABLE_MESSAGE },
      { status: 503, headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS), "x-request-id": requestId } },
    );
  }
  getLogger().error({ component: "route", reqId: requestId, where, err }, `unexpected error: ${firstLine(errorMessage(err))}`);
  return json(
    { error: "internal_error", message: `Something went wrong on our side (request id ${requestId}).` },
    { status: 500, headers: { "x-request-id": requestId } },
  );
}

/** The first line of a message that says something (Prisma's start with an empty one). */
function firstLine(message: string): string {
  return message.split("\n").find((line) => line.trim() !== "") ?? "";
}

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response> | Response;

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The one wrapper every route handler goes through: it attaches a request id and maps thrown
 * errors (AppError → its status, zod → 400, anything else → logged 500), so routes only throw.
 * `options.headers` go on every answer, errors included (e.g. `Cache-Control: no-store`).
 */
export function handleRoute<P = Record<string, string>>(handler: Handler<P>, options: { headers?: Record<string, string> } = {}): Handler<P> {
  return async (req, ctx) => {
    const incoming = req.headers.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    let res: Response;
    try {
      res = await handler(req, ctx);
    } catch (err) {
      res = errorResponse(err, requestId, `${req.method} ${new URL(req.url).pathname}`);
    }
    const extra: Record<string, string> = { ...options.headers };
    if (!res.headers.has("x-request-id")) extra["x-request-id"] = requestId;
    try {
      for (const [k, v] of Object.entries(extra)) res.headers.set(k, v);
    } catch {
      // Immutable headers (a redirect built by the framework): these extras are optional there.
    }
    return res;
  };
}

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Handlers for the methods a route does not serve: a JSON 405 `method_not_allowed` with `Allow`,
 * where Next would answer an empty 405, and an OPTIONS that lists only the methods served (Next's
 * own would list every exported one). In a route file, beside its own handlers:
 * `export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("POST");`
 */
export function methodNotAllowed(...allowed: HttpMethod[]): Record<HttpMethod | "OPTIONS", Handler<Record<string, string>>> {
  const allow = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const refuse = handleRoute(async (req) => {
    throw new AppError("method_not_allowed", `${req.method} is not allowed here; use ${allowed.join(" or ")}.`, {
      headers: { allow },
    });
  });
  const handlers = Object.fromEntries(HTTP_METHODS.map((method) => [method, refuse])) as Record<HttpMethod, typeof refuse>;
  return { ...handlers, OPTIONS: () => new Response(null, { status: 204, headers: { allow } }) };
}
