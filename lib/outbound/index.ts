// Every request L2 makes to the outside: safeFetch, with a total deadline, a byte cap read while
// streaming, redirects only within the origin, and the guard that keeps loopback, private and other
// non-public addresses out of reach (checked again at connect time against DNS rebinding).
// Network conditions come back as typed failures; judging statuses and bodies is the caller's.
export type { SafeFetchFailure, SafeFetchFailureReason } from "./failures";
export { safeFetch, type FetchLike, type SafeFetchOptions, type SafeFetchResult } from "./fetch";
export type { ResolvedAddress, ResolveHost } from "./host-guard";
