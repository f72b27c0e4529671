// The one way L2 makes an outbound HTTP request (product.md §9): a total deadline that also covers
// reading the body, a byte cap enforced while streaming, a private-address guard and redirects
// followed only within the same origin. Network conditions never throw; they come back as a
// typed failure the caller turns into its own message.
import { describeInnermostError, listCauses, Refusal, toFailure, type SafeFetchFailure } from "./failures";
import { assertPublicHost, createPrivateRefusal, getGuardedDispatcher, PrivateAddressError, resolveHostWithDns, type ResolveHost } from "./host-guard";

/** The subset of `fetch` safeFetch uses; `dispatcher` is undici's (Node's fetch) connection pool. */
export type FetchLike = (url: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

export interface SafeFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** Deadline for the whole exchange: DNS, connection, redirects and reading the body. */
  timeoutMs: number;
  /** Largest body accepted; past it the transfer is aborted and the call fails with `too_large`. */
  maxBytes: number;
  /** False: refuse hosts that are or resolve to loopback, private, link-local… addresses. */
  allowPrivateAddresses: boolean;
  /** Same-origin redirects followed at most (default 3); redirects elsewhere are always refused. */
  maxRedirects?: number;
  /** Default: the global fetch. */
  fetchImpl?: FetchLike;
  /** Default: dns.lookup of all addresses. Tests inject one to simulate DNS answers. */
  resolveHost?: ResolveHost;
}

export type SafeFetchResult =
  | {
      ok: true;
      status: number;
      headers: Headers;
      body: Uint8Array;
      /** The URL that answered (after same-origin redirects). */
      url: string;
    }
  | SafeFetchFailure;

const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Refusal("bad_url", `'${truncate(raw)}' is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Refusal("bad_url", `Only http and https URLs are fetched, not ${url.protocol} ('${truncate(raw)}').`);
  }
  if (url.username || url.password) throw new Refusal("bad_url", "URLs carrying credentials are not fetched.");
  if (!url.hostname) throw new Refusal("bad_url", `'${truncate(raw)}' has no host.`);
  return url;
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function describeDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function describeBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

async function readCappedBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  origin: string,
  within: <T>(step: Promise<T>) => Promise<T>,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await within(reader.read());
      if (done) break;
      total += value.byteLength;
      // The chunk that crosses the cap is dropped, not kept: nothing past the cap is buffered.
      if (total > maxBytes) throw new Refusal("too_large", `${origin} sent more than ${describeBytes(maxBytes)}.`);
      chunks.push(value);
    }
  } catch (err) {
    reader.cancel().catch(() => undefined);
    throw err;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Fetches `url` within the limits of `options`. Never throws for network conditions: a bad URL,
 * a private address, a refused redirect, a timeout, a too large body or a failed connection come
 * back as `{ok: false, reason, message}`. Any HTTP status is `ok: true`; the caller judges it.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<SafeFetchResult> {
  const fetchImpl: FetchLike = options.fetchImpl ?? ((u, init) => globalThis.fetch(u, init));
  const resolveHost = options.resolveHost ?? resolveHostWithDns;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  let current: URL;
  try {
    current = parseTarget(url);
  } catch (err) {
    return toFailure(err as Refusal);
  }

  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(new Refusal("timeout", "deadline"));
    }, options.timeoutMs);
  });
  deadline.catch(() => undefined);
  // Every step races the deadline, so even a fetchImpl that ignores the signal cannot outlive it.
  const within = <T>(step: Promise<T>): Promise<T> => Promise.race([step, deadline]);

  try {
    const dispatcher = options.allowPrivateAddresses ? null : await within(getGuardedDispatcher(resolveHost));
    let method = (options.method ?? "GET").toUpperCase();
    let body = options.body;
    const headers = { ...options.headers };
    for (let redirects = 0; ; redirects++) {
      if (!options.allowPrivateAddresses) await within(assertPublicHost(current, resolveHost));
      const init: RequestInit & { dispatcher?: unknown } = {
        method,
        headers,
        body,
        redirect: "manual",
        signal: controller.signal,
      };
      if (dispatcher) init.dispatcher = dispatcher;
      const response = await within(fetchImpl(current.href, init));
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
      if (location !== null) {
        response.body?.cancel().catch(() => undefined);
        if (redirects >= maxRedirects) {
          throw new Refusal("redirect_refused", `${current.origin} redirected more than ${maxRedirects} times.`);
        }
        let next: URL;
        try {
          next = parseTarget(new URL(location, current).href);
        } catch {
          throw new Refusal("redirect_refused", `${current.origin} redirected to an invalid location.`);
        }
        if (next.origin !== current.origin) {
          throw new Refusal(
            "redirect_refused",
            `${current.origin} redirected to another origin (${next.origin}); L2 only follows redirects within the same origin.`,
          );
        }
        // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
        if ((response.status === 303 && method !== "HEAD") || ((response.status === 301 || response.status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          for (const name of Object.keys(headers)) {
            if (/^content-(type|length|encoding)$/i.test(name)) delete headers[name];
          }
        }
        current = next;
        continue;
      }
      const declared = response.headers.get("content-length");
      if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > options.maxBytes) {
        response.body?.cancel().catch(() => undefined);
        throw new Refusal("too_large", `${current.origin} announced ${declared} bytes, more than ${describeBytes(options.maxBytes)}.`);
      }
      const bytes = await readCappedBody(response.body, options.maxBytes, current.origin, within);
      return { ok: true, status: response.status, headers: response.headers, body: bytes, url: current.href };
    }
  } catch (err) {
    controller.abort();
    if (timedOut) {
      return { ok: false, reason: "timeout", message: `${current.origin} did not answer within ${describeDuration(options.timeoutMs)}.` };
    }
    if (err instanceof Refusal) return toFailure(err);
    const refusedAt = listCauses(err).find((c): c is PrivateAddressError => c instanceof PrivateAddressError);
    if (refusedAt) return toFailure(createPrivateRefusal(refusedAt.hostname, refusedAt.address));
    const detail = describeInnermostError(err);
    return { ok: false, reason: "network", message: `${current.origin} could not be reached (${detail}).`, detail };
  } finally {
    clearTimeout(timer);
  }
}
