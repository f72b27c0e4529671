// Talking to the server: requests with a timeout, Moo-Auth-1 signed requests, WebFinger and actors.
import { mooAuthHeaders } from "./moo-auth.mjs";
import { CliError, PROGRAM } from "./program.mjs";

const TIMEOUT_MS = 30_000;

function networkReason(err) {
  const cause = err?.cause ?? err;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (err?.name === "TimeoutError" || cause?.name === "TimeoutError") return "no answer within 30 s";
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
      return "connection reset";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out";
    case "CERT_HAS_EXPIRED":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS certificate problem (${code})`;
    default:
      return cause?.message || String(err);
  }
}

export async function send(url, init) {
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new CliError(`Cannot reach ${new URL(url).origin}: ${networkReason(err)}`);
  }
}

/** The body of an answer as JSON, or null when it is not JSON. */
export async function readJsonBody(res) {
  const text = await res.text().catch(() => "");
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The server's own words for a refusal (`{error, message}`), else the status. */
function serverMessage(res, body) {
  if (body && typeof body.message === "string" && body.message.trim()) return body.message;
  return `the server answered ${res.status} ${res.statusText}`.trim();
}

function refusedKey(server, res, body) {
  return new CliError(
    `The server refused this client's key — it was removed or never registered. Run: ${PROGRAM} login ${server}\n(${serverMessage(res, body)})`,
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a 401 to a signed request means. The server's message says which check failed: only an
 * unregistered (or removed) key calls for a new login; a clock off by minutes is this computer's.
 */
function refusedRequest(server, res, body) {
  const message = serverMessage(res, body);
  if (/not a registered client key|removed/i.test(message)) return refusedKey(server, res, body);
  if (/\bDate\b/.test(message)) return new CliError(`The server refused the signed request: ${message}. Check this computer's clock.`);
  return new CliError(`The server refused the signed request: ${message}`);
}

/**
 * A Moo-Auth-1 signed request; answers `{res, body}`. Ed25519 signatures are deterministic, so the
 * same request twice in one second (the Date header's resolution) carries the same signature and
 * the server refuses the second as a replay: only that refusal is retried, each time in the next
 * second with a new Date (twice, for a third run of the same command in that second).
 */
export async function signedRequest(login, method, url, body) {
  const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
  for (let attempt = 0; ; attempt++) {
    const headers = {
      accept: "application/json",
      ...mooAuthHeaders({ privateKey: login.privateKey, didKey: login.did_key, method, url, body: bytes }),
    };
    if (bytes) headers["content-type"] = method === "POST" && url === login.outbox ? "application/activity+json" : "application/json";
    const res = await send(url, { method, headers, body: bytes });
    const json = await readJsonBody(res);
    if (res.status !== 401) return { res, body: json };
    if (attempt >= 2 || !/replay/i.test(serverMessage(res, json))) throw refusedRequest(login.server, res, json);
    await sleep(1000 - (Date.now() % 1000) + 20);
  }
}

/** Throws the server's message for any answer that is not one of the expected statuses. */
export function expectStatus(res, body, ok, what) {
  if (ok.includes(res.status)) return;
  if (res.status >= 500) throw new CliError(`${what} failed: the server had an internal error (${res.status}). ${serverMessage(res, body)}`);
  throw new CliError(`${what} failed: ${serverMessage(res, body)}`);
}

/** The actor a did:key is registered to (WebFinger, BIN-2); null while it is not registered. */
export async function findActorByKey(server, didKey) {
  const url = `${server}/.well-known/webfinger?resource=${encodeURIComponent(didKey)}`;
  const res = await send(url, { headers: { accept: "application/jrd+json, application/json" } });
  const body = await readJsonBody(res);
  if (res.status === 404) return null;
  expectStatus(res, body, [200], "WebFinger lookup");
  const link = Array.isArray(body?.links)
    ? body.links.find((l) => l?.rel === "self" && typeof l.href === "string" && /activity\+json|ld\+json/.test(String(l.type ?? "")))
    : undefined;
  if (!link) throw new CliError(`${server} answered WebFinger for this key without a link to an actor.`);
  return { subject: typeof body.subject === "string" ? body.subject : null, actor: link.href };
}

export async function fetchActor(actorUrl) {
  const res = await send(actorUrl, { headers: { accept: "application/activity+json" } });
  const body = await readJsonBody(res);
  expectStatus(res, body, [200], `Fetching the actor ${actorUrl}`);
  if (typeof body?.outbox !== "string") throw new CliError(`The actor ${actorUrl} has no outbox.`);
  return { outbox: body.outbox, inbox: typeof body.inbox === "string" ? body.inbox : null, preferredUsername: body.preferredUsername };
}

/** NodeInfo 2.x schemas, newest first (the discovery document may list several). */
const NODEINFO_SCHEMAS = ["2.2", "2.1", "2.0"].map((v) => `http://nodeinfo.diaspora.software/ns/schema/${v}`);

/** The software name an Art DAG L2 gives in its NodeInfo. */
const ARTDAG_L2_SOFTWARE = "artdag-l2";

/**
 * Checks through NodeInfo (/.well-known/nodeinfo, then the document it links) that `server` is an
 * Art DAG L2, before anything is written or shown. @throws CliError naming what the server is instead.
 */
export async function expectArtDagL2(server) {
  const notOurs = (why) => new CliError(`${server} is not an Art DAG L2 server: ${why}. Check the address.`);
  const discovery = await send(`${server}/.well-known/nodeinfo`, { headers: { accept: "application/json" } });
  const links = (await readJsonBody(discovery))?.links;
  if (discovery.status !== 200 || !Array.isArray(links)) {
    throw notOurs(`it has no NodeInfo (/.well-known/nodeinfo answered ${discovery.status})`);
  }
  const href = NODEINFO_SCHEMAS.map((schema) => links.find((l) => l?.rel === schema && typeof l.href === "string")?.href).find(Boolean);
  if (!href) throw notOurs("its NodeInfo links no 2.x document");
  let url;
  try {
    url = new URL(href, server).href;
  } catch {
    throw notOurs(`its NodeInfo links ${href}, which is not an address`);
  }
  const res = await send(url, { headers: { accept: "application/json" } });
  const software = (await readJsonBody(res))?.software;
  if (res.status !== 200) throw notOurs(`its NodeInfo document answered ${res.status}`);
  if (software?.name !== ARTDAG_L2_SOFTWARE) {
    const name = typeof software?.name === "string" ? `${software.name}${typeof software.version === "string" ? ` ${software.version}` : ""}` : "no software";
    throw notOurs(`its NodeInfo names ${name}`);
  }
  return { version: typeof software.version === "string" ? software.version : null };
}
