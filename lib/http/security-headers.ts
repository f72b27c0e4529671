// The security headers every answer carries (issue #12 item 8): pages cannot be framed — renderers
// on sibling subdomains are same-site for our cookies, so this is what stops them framing
// /registerPublicKey or /renderers — nor sniffed, and leak no URL to other origins. Framework-free:
// the front door (lib/front) applies it to every answer, with a per-request nonce (see
// securityHeaders).
import { randomFillSync } from "node:crypto";

export interface SecurityHeaderOptions {
  /**
   * A fresh per-request nonce (createCspNonce). With one, scripts need it ('strict-dynamic' lets
   * the scripts it loaded load theirs) and inline scripts without it are refused; Next stamps it on
   * every script it writes when the *request* carries the same Content-Security-Policy header.
   * Without one, Next's inline bootstrap scripts (self.__next_f.push) can only run under
   * 'unsafe-inline', so scripts are limited to this origin and inline code, never eval or another host.
   */
  nonce?: string;
  /** `next dev`: React's dev build needs eval, and hot reload a WebSocket. */
  dev?: boolean;
}

const NONCE_BYTES = 16;
// Every answer carries a fresh nonce; drawing each from the CSPRNG separately was a tenth of the
// CPU of an answer served from the response cache. One fill serves 256 nonces, each still 128 bits
// from the CSPRNG, none ever reused.
const noncePool = Buffer.alloc(NONCE_BYTES * 256);
let nonceOffset = noncePool.length;

/** 128 random bits, base64: the form Next reads from `'nonce-…'`. */
export function createCspNonce(): string {
  if (nonceOffset === noncePool.length) {
    randomFillSync(noncePool);
    nonceOffset = 0;
  }
  const nonce = noncePool.toString("base64", nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

const NONCE = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;

function buildPolicy(nonce: string | undefined, dev: boolean): string {
  const scripts = nonce ? ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"] : ["'self'", "'unsafe-inline'"];
  if (dev) scripts.push("'unsafe-eval'");
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", ...scripts],
    // React writes style attributes, and Next inlines critical CSS: styles cannot carry the nonce.
    ["style-src", "'self'", "'unsafe-inline'"],
    // A work is shown from the URL its owner registered (any web address): images, and video and
    // audio as media; scripts, frames and connections stay this origin's only.
    ["img-src", "'self'", "data:", "blob:", "https:", "http:"],
    ["media-src", "'self'", "https:", "http:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...(dev ? ["ws:", "wss:"] : [])],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["frame-src", "'none'"],
    ["frame-ancestors", "'none'"],
    // No form-action: attaching a renderer is a form whose answer redirects to the L1, and
    // form-action applies to redirects; L1_SERVERS is read at run time, this table at build time.
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

// Every answer carries a policy with its own nonce: the text around the nonce is built once per
// mode, so an answer costs one concatenation (a cached answer is served in ~100 µs).
const NONCE_SLOT = "\u0000";
const templates = [false, true].map((dev) => buildPolicy(NONCE_SLOT, dev).split(NONCE_SLOT) as [string, string]);
const withoutNonce = [false, true].map((dev) => buildPolicy(undefined, dev));

/** The Content-Security-Policy value. @throws {TypeError} for a nonce that could break out of the header. */
export function contentSecurityPolicy(options: SecurityHeaderOptions = {}): string {
  const { nonce, dev = false } = options;
  if (nonce === undefined) return withoutNonce[dev ? 1 : 0];
  if (!NONCE.test(nonce)) throw new TypeError("a CSP nonce is at least 16 base64 characters");
  const [before, after] = templates[dev ? 1 : 0];
  return before + nonce + after;
}

/** The headers of the table other than the Content-Security-Policy (the same on every answer). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  // For browsers that predate frame-ancestors.
  "x-frame-options": "DENY",
});

/** Every header of the table, for any answer (pages, JSON, files). */
export function securityHeaders(options: SecurityHeaderOptions = {}): Record<string, string> {
  return { "content-security-policy": contentSecurityPolicy(options), ...STATIC_SECURITY_HEADERS };
}
