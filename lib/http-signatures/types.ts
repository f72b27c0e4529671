import type { KeyObject } from "node:crypto";

/** The two HTTP signature schemes the fediverse uses. */
export type SignatureSpec = "draft-cavage" | "rfc9421";

/**
 * A signed request, the one shape every signer and verifier here (HTTP Signatures, Moo-Auth-1, the
 * inbox) speaks: the method, the absolute URL the sender addressed (behind a proxy, the public URL,
 * not the internal one), the headers, and the exact body bytes (a string is sent as UTF-8).
 * Signature verifiers never read the body; digest checks do (checkBodyDigest).
 */
export interface SignedRequest {
  method: string;
  url: string;
  headers: Headers;
  body?: Uint8Array | string;
}

/** Headers a signer produces, keyed by their canonical spelling; merge them into the outgoing request. */
export type SignedHeaders = Record<string, string>;

export type VerifyFailureReason =
  /** No `Signature` (cavage) or `Signature-Input` (RFC 9421) header: an unsigned request. */
  | "no_signature"
  /** A header that cannot be parsed, a missing or duplicated parameter, an unsupported component. */
  | "malformed"
  /** The signature does not cover something it must (`(request-target)`, a date, the digest…), or a
   *  covered header is absent from the request. */
  | "missing_required_header"
  /** `Date`/`created` outside ±maxSkewSeconds of now, or past `expires`. */
  | "date_out_of_window"
  /** resolveKey found no key for the keyId. */
  | "unknown_key"
  /**
   * With `expectedAuthority`: the signature was made for another host — it does not verify with
   * ours but does with the Host (or URL authority) the request arrived with.
   */
  | "wrong_authority"
  /** The signature does not verify with the key (or the key cannot make this kind of signature). */
  | "bad_signature"
  /** An algorithm label or key type we do not verify. */
  | "unsupported_algorithm";

export type VerifyResult =
  | {
      ok: true;
      spec: SignatureSpec;
      keyId: string;
      /** The algorithm as labelled by the sender (cavage) or as used (RFC 9421, derived from the key when absent). */
      algorithm: string;
      /** What the signature covers, lower-cased: cavage header names or RFC 9421 component names. */
      components: string[];
      /** The RFC 9421 signature label that verified. */
      label?: string;
    }
  | {
      ok: false;
      reason: VerifyFailureReason;
      keyId?: string;
      /** A human-readable explanation for logs; never show it as-is to a remote peer. */
      detail?: string;
    };

export type VerifyFailure = Extract<VerifyResult, { ok: false }>;

/** Finds the public key for a keyId (for example from a cached actor document); null when there is none. */
export type KeyResolver = (keyId: string) => Promise<KeyObject | null>;

export interface VerifyOptions {
  resolveKey: KeyResolver;
  /**
   * Called once, when the signature fails with the key from resolveKey, to fetch that key again
   * bypassing any cache (protocols.md §2: refetch once when a cached key fails, i.e. key rotation).
   */
  refreshKey?: KeyResolver;
  /** The clock; defaults to the current time. */
  now?: Date;
  /** Allowed distance between now and `Date`/`created`, in seconds. Default 3600. */
  maxSkewSeconds?: number;
  /**
   * Whether the request carries a body, so the signature must cover its digest. Defaults to true
   * for every method except GET and HEAD.
   */
  hasBody?: boolean;
  /** Extra headers/components that must be covered (cavage header names or RFC 9421 component names). */
  requiredHeaders?: string[];
  /**
   * Our own public authority (`host[:port]`, as a URL's `host` writes it). When set, the signature
   * must cover the authority — cavage `host`; RFC 9421 `@authority` or `@target-uri` (whose value
   * holds it) — and it is verified with this value as the `host` header, `@authority` and the
   * authority of `@target-uri`, whatever Host the request reached us with (behind a reverse proxy
   * that may be an internal name). A signature made for another host then does not verify; when it
   * verifies with the request's own Host instead, the failure is `wrong_authority`.
   */
  expectedAuthority?: string;
}

export const DEFAULT_MAX_SKEW_SECONDS = 3600;

export function failure(reason: VerifyFailureReason, detail: string, keyId?: string): VerifyFailure {
  return keyId === undefined ? { ok: false, reason, detail } : { ok: false, reason, keyId, detail };
}

export function requestHasBody(method: string, hasBody: boolean | undefined): boolean {
  if (hasBody !== undefined) return hasBody;
  const m = method.toUpperCase();
  return m !== "GET" && m !== "HEAD";
}

/** Whether a Unix time (seconds) lies within ±skew seconds of now. */
export function withinWindow(epochSeconds: number, now: Date, skewSeconds: number): boolean {
  return Math.abs(now.getTime() / 1000 - epochSeconds) <= skewSeconds;
}

export function bodyBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === "string" ? new TextEncoder().encode(body) : body;
}

/**
 * The request as its sender addressed it when it was meant for `authority`: the URL's authority
 * and the Host header replaced by it (what `expectedAuthority` verifies against).
 */
export function withAuthority(request: SignedRequest, authority: string): SignedRequest {
  const url = new URL(request.url);
  // Not `url.host = authority`: that keeps the old port when the new authority has none, and
  // silently ignores an authority it cannot parse.
  let href = `${url.protocol}//${authority}${url.pathname}${url.search}`;
  if (!URL.canParse(href)) href = url.href;
  const headers = new Headers(request.headers);
  headers.set("host", authority);
  return { method: request.method, url: new URL(href).href, headers };
}

/** The authority a request arrived with: its Host header, else its URL's. */
export function arrivedAuthority(request: SignedRequest): string {
  return request.headers.get("host") ?? new URL(request.url).host;
}
