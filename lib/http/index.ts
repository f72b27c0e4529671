// HTTP plumbing shared by every route: the error type and its mapping, JSON bodies with limits,
// authentication of callers, rate limits and the client address. Outbound requests are
// lib/outbound's. Speaks web-standard Request/Response only; no framework imports.
export { AppError, errorCodes, isAppError, type ErrorCode } from "./errors";
export {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  describeZodError,
  errorResponse,
  handleRoute,
  json,
  methodNotAllowed,
  type HttpMethod,
} from "./respond";
export { assertJsonContentType, MAX_BODY_BYTES, parseJson, parseJsonOrForm, readBodyBytes, readJson, readJsonOrForm } from "./body";
export { decodePathParam, keysetCursorSchema, pagePathParam, parseQuery, readQuery } from "./params";
export {
  assertStorableJson,
  assertStorableText,
  findJsonProblem,
  inputProblemError,
  MAX_JSON_DEPTH,
  parseUrlEncoded,
  storableInput,
  textDefect,
  type InputProblem,
} from "./text";
export {
  authenticate,
  authenticateRequest,
  hasMooAuth,
  requireRequestUser,
  requireRequestUserAs,
  requireRequestUserForWrite,
  requireUser,
  requireUserForWrite,
  sessionAccessToken,
  sessionUserForWrite,
  type AuthenticateRequestOptions,
  type MooAuthPrincipal,
  type Principal,
  type RequestPrincipal,
} from "./auth";
export { cleanupRateLimitBuckets, enforceRateLimit, hitRateLimit, type RateLimitResult } from "./rate-limit";
export { CLIENT_ADDRESS_HEADER, clientAddress } from "./client-address";
export { isServerActionRequest, multipartDefect, screenServerActionBody, screenServerActionHeaders } from "./server-actions";
