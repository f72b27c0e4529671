// Typed errors of the domain and their one mapping to HTTP statuses (product.md §9).

/** Every error code the API answers with, and its status. */
export const errorCodes = {
  invalid_request: 400,
  malformed_json: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_rejected: 403,
  unauthorized_l1: 403,
  not_found: 404,
  not_anchored: 404,
  method_not_allowed: 405,
  username_taken: 409,
  username_reserved: 409,
  registration_closed: 403,
  invite_required: 403,
  invite_invalid: 403,
  invite_expired: 403,
  invite_used: 409,
  conflict: 409,
  name_taken: 409,
  content_already_claimed: 409,
  run_not_completed: 409,
  l1_not_allowed: 400,
  unsupported_activity: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  bad_gateway: 502,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** An expected failure: a status, a stable snake_case code and a message a person can read. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      /** Per-field messages for forms (`{username: "…"}`). */
      fields?: Record<string, string>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = "AppError";
    this.status = errorCodes[code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError || (err instanceof Error && err.name === "AppError" && "code" in err);
}
