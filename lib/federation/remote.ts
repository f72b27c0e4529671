import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import type { AppContext } from "@/lib/context";
import { multibaseToEd25519PublicKey, privateKeyFromPem, readActorPrivateKey } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { safeFetch } from "@/lib/outbound";
import { signRequest } from "@/lib/http-signatures";
import { actorDocument, instanceActorDocument } from "./documents";
import { instanceKeyId } from "@/lib/urls";

const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/**
 * GETs an ActivityPub document, signed by the instance actor, through the safe-fetch helper
 * (timeouts, 1 MiB cap, private addresses only when FEDERATION_ALLOW_PRIVATE_ADDRESSES).
 */
export async function fetchActivityPubDocument(ctx: AppContext, url: string): Promise<{ ok: true; doc: unknown } | { ok: false; message: string }> {
  const pem = await readActorPrivateKey(ctx.config.keysDir, ctx.config.primaryUser);
  const headers = new Headers({ accept: ACCEPT });
  const signed = pem
    ? signRequest({ method: "GET", url, headers }, { privateKey: privateKeyFromPem(pem), keyId: instanceKeyId(ctx), spec: "draft-cavage", now: ctx.now() })
    : headers;
  const res = await safeFetch(url, {
    headers: Object.fromEntries(signed.entries()),
    timeoutMs: 10_000,
    maxBytes: 1024 * 1024,
    allowPrivateAddresses: ctx.config.federationAllowPrivateAddresses,
  });
  if (!res.ok) return { ok: false, message: res.message };
  if (res.status !== 200) return { ok: false, message: `${url} answered HTTP ${res.status}` };
  // safeFetch follows redirects within the origin only; what a document says about itself is
  // believed only for the origin asked, so this stays true whatever safeFetch may learn later.
  if (new URL(res.url).origin !== new URL(url).origin) return { ok: false, message: `${url} was answered from another origin (${new URL(res.url).origin})` };
  try {
    return { ok: true, doc: JSON.parse(new TextDecoder().decode(res.body)) as unknown };
  } catch {
    return { ok: false, message: `${url} did not answer JSON` };
  }
}

const actorDoc = z.object({
  id: z.string(),
  inbox: z.string().url(),
  endpoints: z.object({ sharedInbox: z.string().url().optional() }).partial().optional(),
});

/** A remote actor's id and inboxes. */
export interface RemoteActor {
  id: string;
  inbox: string;
  sharedInbox: string | null;
}

/** Fetches a remote actor (signed GET) and reads its id and inboxes. */
export async function fetchRemoteActor(ctx: AppContext, actorId: string): Promise<RemoteActor | null> {
  const fetched = await fetchActivityPubDocument(ctx, actorId);
  if (!fetched.ok) return null;
  const parsed = actorDoc.safeParse(fetched.doc);
  if (!parsed.success || parsed.data.id !== actorId) return null;
  return { id: parsed.data.id, inbox: parsed.data.inbox, sharedInbox: parsed.data.endpoints?.sharedInbox ?? null };
}

function withoutFragment(url: string): string {
  const i = url.indexOf("#");
  return i === -1 ? url : url.slice(0, i);
}

function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/** How long a confirmed key is used from the cache before its owner is asked again. */
export const KEY_CONFIRMATION_MAX_AGE_SECONDS = 24 * 3600;

/** Where actors list their keys: FEP-521a/DID `assertionMethod` and `verificationMethod` too. */
const KEY_LISTS = ["publicKey", "assertionMethod", "verificationMethod"] as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An id reference: a string, or an object's `id`. */
function refId(value: unknown): string | null {
  if (typeof value === "string") return value;
  return isObject(value) && typeof value.id === "string" ? value.id : null;
}

/** The entries of a document's key lists that name `keyId` (a string id, or an embedded key object). */
function listedEntries(doc: Json, keyId: string): unknown[] {
  const found: unknown[] = [];
  for (const list of KEY_LISTS) {
    const value = doc[list];
    for (const entry of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      if (refId(entry) === keyId) found.push(entry);
    }
  }
  return found;
}

/** The public key an embedded key object carries (`publicKeyPem`, or an Ed25519 `publicKeyMultibase`). */
function keyMaterial(entry: unknown): KeyObject | null {
  if (!isObject(entry)) return null;
  if (typeof entry.publicKeyPem === "string") {
    try {
      return createPublicKey(entry.publicKeyPem);
    } catch {
      return null;
    }
  }
  if (typeof entry.publicKeyMultibase === "string") {
    const key = multibaseToEd25519PublicKey(entry.publicKeyMultibase);
    return key.ok ? key.publicKey : null;
  }
  return null;
}

/**
 * A document at an actor or key URL: ours read locally (our actors' documents as we serve them,
 * never fetched and never taken from anyone else), anyone else's fetched from that URL's origin.
 */
async function loadDocument(ctx: AppContext, url: string): Promise<{ ok: true; doc: Json } | { ok: false; reason: string }> {
  const parsed = httpUrl(url);
  if (!parsed) return { ok: false, reason: `${url.length > 200 ? `${url.slice(0, 200)}…` : url} is not an http(s) URL` };
  if (parsed.origin === new URL(ctx.config.baseUrl).origin) {
    const path = parsed.pathname;
    // Usernames are [a-z0-9_] (USERNAME_PATTERN): nothing to decode, and anything else is no actor.
    const user = /^\/users\/([^/]+)$/.exec(path);
    try {
      if (path === "/actor" && !parsed.search) return { ok: true, doc: await instanceActorDocument(ctx) };
      if (user && !parsed.search) return { ok: true, doc: await actorDocument(ctx, user[1]) };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
    return { ok: false, reason: `${url} is not one of this server's actors` };
  }
  const fetched = await fetchActivityPubDocument(ctx, url);
  if (!fetched.ok) return { ok: false, reason: fetched.message };
  if (!isObject(fetched.doc)) return { ok: false, reason: `${url} did not answer a JSON object` };
  return { ok: true, doc: fetched.doc };
}

export type KeyResolution = { ok: true; publicKey: KeyObject; owner: string; cached: boolean } | { ok: false; reason: string };

/**
 * How long a confirmed key, once read from remote_keys (or confirmed here), is used from this
 * process's memory before remote_keys is read again: what another replica changed there (a key it
 * refreshed, or dropped because its owner no longer lists it) reaches this one within this time.
 * The confirmation's own age still counts (KEY_CONFIRMATION_MAX_AGE_SECONDS), as for a row.
 */
const KEY_MEMORY_SECONDS = 60;
const KEY_MEMORY_ENTRIES = 10_000;

interface RememberedKey {
  publicKey: KeyObject;
  owner: string;
  confirmedAt: number;
  rememberedAt: number;
}

/** Confirmed remote keys in memory, per database (a test context's database is its own). */
const remembered = new WeakMap<object, Map<string, RememberedKey>>();

function memoryOf(ctx: AppContext): Map<string, RememberedKey> {
  let memory = remembered.get(ctx.prisma);
  if (!memory) remembered.set(ctx.prisma, (memory = new Map()));
  return memory;
}

function remember(ctx: AppContext, keyId: string, key: Omit<RememberedKey, "rememberedAt">) {
  const memory = memoryOf(ctx);
  memory.delete(keyId);
  // Bounded: the oldest entry goes first.
  if (memory.size >= KEY_MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
  memory.set(keyId, { ...key, rememberedAt: ctx.now().getTime() });
}

const confirmationFresh = (ctx: AppContext, confirmedAt: number) => ctx.now().getTime() - confirmedAt < KEY_CONFIRMATION_MAX_AGE_SECONDS * 1000;

/** A remembered key still usable: its confirmation and its copy in memory both recent enough. */
function recall(ctx: AppContext, keyId: string): RememberedKey | null {
  const hit = memoryOf(ctx).get(keyId);
  if (!hit) return null;
  const age = ctx.now().getTime() - hit.rememberedAt;
  if (age >= 0 && age < KEY_MEMORY_SECONDS * 1000 && confirmationFresh(ctx, hit.confirmedAt)) return hit;
  memoryOf(ctx).delete(keyId);
  return null;
}

/**
 * The public key named by a signature's keyId and the actor it proves to be its owner
 * (protocols.md §2). The document at the keyId's URL holds the key (the key itself, or an actor
 * listing it); its `owner`/`controller` (else that actor) is only a claim: it counts when the
 * claimed owner's own document — fetched from the owner's URL, whose `id` is that URL — lists
 * the keyId in `publicKey`, `assertionMethod` or `verificationMethod` (and, where it embeds the
 * key, the same key). Keys on our own origin are read from our actors' documents, never fetched.
 * A confirmed remote key is cached (remote_keys, and parsed in this process's memory for
 * KEY_MEMORY_SECONDS) for KEY_CONFIRMATION_MAX_AGE_SECONDS; `refresh` skips the cache — used once
 * when a cached key fails (key rotation), and it confirms anew. A key that cannot be confirmed is
 * dropped from the cache.
 */
export async function resolveRemoteKey(ctx: AppContext, keyId: string, options: { refresh?: boolean } = {}): Promise<KeyResolution> {
  const url = httpUrl(keyId);
  if (!url) return { ok: false, reason: `the keyId ${keyId.slice(0, 200)} is not an http(s) URL` };
  const local = url.origin === new URL(ctx.config.baseUrl).origin;
  if (!local && !options.refresh) {
    const known = recall(ctx, keyId);
    if (known) return { ok: true, publicKey: known.publicKey, owner: known.owner, cached: true };
    const hit = await ctx.prisma.remoteKey.findUnique({ where: { keyId } });
    if (hit?.ownerConfirmedAt && confirmationFresh(ctx, hit.ownerConfirmedAt.getTime())) {
      const publicKey = createPublicKey(hit.publicKeyPem);
      remember(ctx, keyId, { publicKey, owner: hit.owner, confirmedAt: hit.ownerConfirmedAt.getTime() });
      return { ok: true, publicKey, owner: hit.owner, cached: true };
    }
  }
  if (!local) memoryOf(ctx).delete(keyId);
  const confirmed = await confirmKey(ctx, keyId);
  // Reasons quote peers' URLs and answers: kept short for the 401.
  const result = confirmed.ok || confirmed.reason.length <= 600 ? confirmed : { ok: false as const, reason: `${confirmed.reason.slice(0, 600)}…` };
  if (local) return result;
  if (!result.ok) {
    await ctx.prisma.remoteKey.deleteMany({ where: { keyId } });
    return result;
  }
  const row = {
    owner: result.owner,
    publicKeyPem: result.publicKey.export({ type: "spki", format: "pem" }).toString(),
    fetchedAt: ctx.now(),
    ownerConfirmedAt: ctx.now(),
  };
  await ctx.prisma.remoteKey.upsert({ where: { keyId }, create: { keyId, ...row }, update: row });
  remember(ctx, keyId, { publicKey: result.publicKey, owner: result.owner, confirmedAt: row.ownerConfirmedAt.getTime() });
  return result;
}

/** A URL from a peer's document, cut short for a message. */
function shown(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

async function confirmKey(ctx: AppContext, keyId: string): Promise<KeyResolution> {
  const at = withoutFragment(keyId);
  const served = await loadDocument(ctx, at);
  if (!served.ok) return served;
  const doc = served.doc;
  // The key itself (a key document), or an entry of the actor document that lists it.
  const own = doc.id === keyId && (doc.publicKeyPem !== undefined || doc.publicKeyMultibase !== undefined) ? doc : null;
  const entry = own ?? listedEntries(doc, keyId).find(isObject);
  if (!entry) return { ok: false, reason: `${at} does not hold the key ${keyId}` };
  const publicKey = keyMaterial(entry);
  if (!publicKey) return { ok: false, reason: `the key ${keyId} has no usable public key` };
  const claimed = refId(entry.owner) ?? refId(entry.controller) ?? (own ? null : refId(doc.id));
  if (!claimed) return { ok: false, reason: `the key ${keyId} names no owner` };

  // The document served at the keyId's URL, with that URL as its id, is the owner's own document.
  const ownerDoc = claimed === at && doc.id === at ? { ok: true as const, doc } : await loadDocument(ctx, claimed);
  if (!ownerDoc.ok) return { ok: false, reason: `the owner ${shown(claimed)} of the key ${keyId} could not be read: ${ownerDoc.reason}` };
  if (ownerDoc.doc.id !== claimed)
    return { ok: false, reason: `the document at ${shown(claimed)} is not that actor's (its id is ${shown(String(ownerDoc.doc.id))})` };
  const listed = listedEntries(ownerDoc.doc, keyId);
  if (listed.length === 0) return { ok: false, reason: `${shown(claimed)} does not list the key ${keyId}` };
  for (const e of listed) {
    const embedded = keyMaterial(e);
    if (embedded && !embedded.equals(publicKey)) return { ok: false, reason: `${shown(claimed)} lists another public key as ${keyId}` };
  }
  return { ok: true, publicKey, owner: claimed, cached: false };
}
