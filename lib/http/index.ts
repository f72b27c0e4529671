// HTTP plumbing shared by every route, below the domain: the mapping of AppError (lib/errors) to
// responses, JSON bodies with limits, query and path parameters, boundary checks of client text,
// rate limits, the client address, security headers, server-action screens and the caching headers
// of public documents. Speaks web-standard Request/Response only; imports no domain module (who is
// calling is lib/callers; outbound requests are lib/outbound's).
export { DATABASE_UNAVAILABLE_MESSAGE, describeZodError, handleRoute, json, methodNotAllowed, type HttpMethod } from "./respond";
export { parseJson, parseJsonOrForm, readBodyBytes, readJson, readJsonOrForm } from "./body";
export { decodePathParam, keysetCursorSchema, pageLimitSchema, pagePathParam, parseQuery, readQuery } from "./params";
export { assertStorableJson, findJsonProblem, storableInput, type InputProblem } from "./text";
export { cleanupRateLimitBuckets, enforceRateLimit, type RateLimitResult } from "./rate-limit";
export { CLIENT_ADDRESS_HEADER, clientAddress } from "./client-address";
export { contentSecurityPolicy, createCspNonce, securityHeaders, STATIC_SECURITY_HEADERS, type SecurityHeaderOptions } from "./security-headers";
export { isServerActionRequest, screenServerActionBody, screenServerActionHeaders } from "./server-actions";
export { CACHE_TAGS_HEADER, etagListMatches, isNotModified, publicDocument, publicJson, strongEtag, type PublicDocumentOptions } from "./public";
