// The one way L2 makes an outbound HTTP request (product.md §9): a total deadline that also covers
// reading the body, a byte cap enforced while streaming, a private-address guard and redirects
// followed only within the same origin. Network conditions never throw; they come back as a
// typed failure the caller turns into its own message.
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";

/** The subset of `fetch` safeFetch uses; `dispatcher` is undici's (Node's fetch) connection pool. */
export type FetchLike = (url: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Resolves a host name to every address it has (dns.lookup with `all: true`). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

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

export type SafeFetchFailureReason =
  | "timeout"
  | "too_large"
  | "private_address"
  | "redirect_refused"
  | "network"
  | "bad_url";

export type SafeFetchResult =
  | {
      ok: true;
      status: number;
      headers: Headers;
      body: Uint8Array;
      /** The URL that answered (after same-origin redirects). */
      url: string;
    }
  | {
      ok: false;
      reason: SafeFetchFailureReason;
      message: string;
      /** For `network`: the underlying error alone (e.g. "ECONNREFUSED: connect ECONNREFUSED …"). */
      detail?: string;
    };

export type SafeFetchFailure = Extract<SafeFetchResult, { ok: false }>;

const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A failure decided by safeFetch itself, thrown internally and turned into a result. */
class Refusal extends Error {
  constructor(
    readonly reason: SafeFetchFailureReason,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "Refusal";
  }
}

/** Raised by the connect-time DNS guard; undici wraps it as the `cause` of fetch's TypeError. */
class PrivateAddressError extends Error {
  readonly code = "EPRIVATEADDRESS";
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, a private, loopback or otherwise non-public address`);
    this.name = "PrivateAddressError";
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses

function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    s = s.slice(0, lastColon);
    if (s.endsWith(":")) s += ":";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || rest === null) return null;
  const known = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (known > 7) return null;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  } else {
    if (known !== 8) return null;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** IPv4 blocks that are not public unicast (RFC 6890 and friends): [first address, prefix length]. */
const NON_PUBLIC_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];
const NON_PUBLIC_V4_PARSED = NON_PUBLIC_V4.map(([base, bits]) => [parseIpv4(base) as number, bits] as const);

function isPrivateIpv4(value: number): boolean {
  return NON_PUBLIC_V4_PARSED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(value / size) === Math.floor(base / size);
  });
}

function isInV6Block(value: bigint, base: string, bits: number): boolean {
  const shift = BigInt(128 - bits);
  return value >> shift === (parseIpv6(base) as bigint) >> shift;
}

function isPrivateIpv6(value: bigint): boolean {
  const low32 = Number(value & 0xffffffffn);
  // Forms that embed an IPv4 address are judged by it: IPv4-mapped, NAT64 well-known prefix, 6to4.
  if (isInV6Block(value, "::ffff:0:0", 96)) return isPrivateIpv4(low32);
  if (isInV6Block(value, "64:ff9b::", 96)) return isPrivateIpv4(low32);
  if (isInV6Block(value, "2002::", 16)) return isPrivateIpv4(Number((value >> 80n) & 0xffffffffn));
  // Only global unicast (2000::/3) is public; that excludes ::, ::1, IPv4-compatible, fc00::/7
  // (unique local), fe80::/10 (link-local), fec0::/10 (site-local), ff00::/8 (multicast)…
  if (!isInV6Block(value, "2000::", 3)) return true;
  // …and inside it, the special-purpose blocks: IETF assignments incl. Teredo, documentation.
  return isInV6Block(value, "2001::", 23) || isInV6Block(value, "2001:db8::", 32) || isInV6Block(value, "3fff::", 20);
}

/**
 * True when `ip` is not a public unicast address: loopback, private, link-local, unique-local,
 * CGNAT, multicast, unspecified, documentation, reserved, or an IPv6 form embedding one of those
 * (IPv4-mapped, NAT64, 6to4). Anything that does not parse counts as private (fail closed).
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return isPrivateIpv4(v4);
  const v6 = parseIpv6(bare);
  return v6 === null ? true : isPrivateIpv6(v6);
}

const resolveHostWithDns: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Refuses a URL whose host is, or resolves to, a non-public address. */
async function assertPublicHost(url: URL, resolveHost: ResolveHost): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw createPrivateRefusal(host, host);
    return;
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveHost(host);
  } catch (err) {
    throw new Refusal("network", `The host ${host} could not be resolved (${describeInnermostError(err)}).`, describeInnermostError(err));
  }
  if (addresses.length === 0) throw new Refusal("network", `The host ${host} has no address.`);
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw createPrivateRefusal(host, bad.address);
}

function createPrivateRefusal(host: string, address: string): Refusal {
  const where = host === address ? host : `${host} (${address})`;
  return new Refusal("private_address", `${where} is a private or loopback address; L2 does not fetch those.`);
}

// ---------------------------------------------------------------------------------------------
// Connect-time guard (closes the DNS-rebinding gap)
//
// Checking the DNS answer before fetch is not enough on its own: fetch resolves the name again
// when it connects, and a hostile DNS server can answer a public address first and 127.0.0.1 the
// second time. The fix is to check the very addresses the socket connects to, through undici's
// `connect.lookup`. `undici` is not a dependency of this project, but Node's fetch *is* undici and
// registers its global Agent under a documented cross-copy symbol; its constructor is undici's
// Agent, which accepts `connect.lookup`. When that is unavailable (another runtime, a replaced
// global dispatcher), only the pre-check above applies and the rebinding gap stays open; adding
// `undici` as a dependency and building the Agent from it would then close it.

type ConnectLookup = (
  hostname: string,
  options: { family?: number | string; all?: boolean },
  callback: (err: Error | null, address?: string | ResolvedAddress[], family?: number) => void,
) => void;

type AgentClass = new (options: { connect: { lookup: ConnectLookup } }) => object;

const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");
let agentClass: Promise<AgentClass | null> | undefined;
const guardedAgents = new WeakMap<ResolveHost, object | null>();

function readGlobalAgentClass(): AgentClass | null {
  const current: unknown = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
  if (typeof current !== "object" || current === null) return null;
  if (typeof (current as { dispatch?: unknown }).dispatch !== "function") return null;
  const ctor: unknown = current.constructor;
  return typeof ctor === "function" && ctor.name === "Agent" ? (ctor as AgentClass) : null;
}

async function findAgentClass(): Promise<AgentClass | null> {
  agentClass ??= (async () => {
    // Node loads its undici (and sets the global Agent) on the first fetch; a data: URL costs nothing.
    if (readGlobalAgentClass() === null && typeof globalThis.fetch === "function") {
      await globalThis.fetch("data:,").catch(() => undefined);
    }
    return readGlobalAgentClass();
  })();
  return agentClass;
}

function createConnectLookup(resolveHost: ResolveHost): ConnectLookup {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === "IPv4" ? 4 : options.family === 6 || options.family === "IPv6" ? 6 : 0;
        const wanted = family === 0 ? all : all.filter((a) => a.family === family);
        const bad = wanted.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(new PrivateAddressError(hostname, bad.address));
        if (wanted.length === 0) {
          return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }));
        }
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0].address, wanted[0].family);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  };
}

/** An undici Agent that re-checks every address it connects to, or null when none can be built. */
async function getGuardedDispatcher(resolveHost: ResolveHost): Promise<object | null> {
  const cached = guardedAgents.get(resolveHost);
  if (cached !== undefined) return cached;
  const Agent = await findAgentClass();
  let agent: object | null = null;
  if (Agent) {
    try {
      agent = new Agent({ connect: { lookup: createConnectLookup(resolveHost) } });
    } catch {
      agent = null;
    }
  }
  guardedAgents.set(resolveHost, agent);
  return agent;
}

// ---------------------------------------------------------------------------------------------
// The request

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

function listCauses(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function describeInnermostError(err: unknown): string {
  const chain = listCauses(err);
  const last = chain[chain.length - 1];
  if (last instanceof Error) {
    const code = (last as { code?: unknown }).code;
    return typeof code === "string" && !last.message.includes(code) ? `${code}: ${last.message}` : last.message;
  }
  return String(last);
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

function toFailure(refusal: Refusal): SafeFetchFailure {
  const failure: SafeFetchFailure = { ok: false, reason: refusal.reason, message: refusal.message };
  if (refusal.detail !== undefined) failure.detail = refusal.detail;
  return failure;
}
