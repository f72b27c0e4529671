// Which hosts a request may reach when private addresses are not allowed. The host's DNS answer is
// checked before each request; then, because fetch resolves the name again when it connects, the
// very addresses the socket connects to are checked once more (the connect-time guard below).
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";
import { isPrivateAddress } from "./addresses";
import { describeInnermostError, Refusal } from "./failures";

export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Resolves a host name to every address it has (dns.lookup with `all: true`). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

/** Raised by the connect-time DNS guard; undici wraps it as the `cause` of fetch's TypeError. */
export class PrivateAddressError extends Error {
  readonly code = "EPRIVATEADDRESS";
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(`${hostname} resolves to ${address}, a private, loopback or otherwise non-public address`);
    this.name = "PrivateAddressError";
  }
}

export const resolveHostWithDns: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Refuses a URL whose host is, or resolves to, a non-public address. */
export async function assertPublicHost(url: URL, resolveHost: ResolveHost): Promise<void> {
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

export function createPrivateRefusal(host: string, address: string): Refusal {
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
export async function getGuardedDispatcher(resolveHost: ResolveHost): Promise<object | null> {
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
