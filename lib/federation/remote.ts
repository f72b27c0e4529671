import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import type { AppContext } from "@/lib/context";
import { privateKeyFromPem, readActorPrivateKey } from "@/lib/crypto";
import { safeFetch } from "@/lib/http/safe-fetch";
import { signRequest } from "@/lib/http-signatures";

const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/** The instance actor's key id: it signs our fetches (servers with authorized fetch require one). */
export function instanceKeyId(ctx: AppContext): string {
  return `${ctx.config.baseUrl}/actor#main-key`;
}

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
  try {
    return { ok: true, doc: JSON.parse(new TextDecoder().decode(res.body)) as unknown };
  } catch {
    return { ok: false, message: `${url} did not answer JSON` };
  }
}

const keyDoc = z.object({ id: z.string(), owner: z.string().optional(), controller: z.string().optional(), publicKeyPem: z.string() });
const actorDoc = z.object({
  id: z.string(),
  inbox: z.string().url(),
  endpoints: z.object({ sharedInbox: z.string().url().optional() }).partial().optional(),
  publicKey: z.union([keyDoc, z.array(keyDoc)]).optional(),
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

/**
 * The public key named by a signature's keyId and its owner: from the cache, or fetched (the keyId
 * document is the actor or the key itself) and cached. `refresh` skips the cache — used once when
 * a cached key fails, which is how key rotation is picked up.
 */
export async function resolveRemoteKey(
  ctx: AppContext,
  keyId: string,
  options: { refresh?: boolean } = {},
): Promise<{ publicKey: KeyObject; owner: string; cached: boolean } | null> {
  if (!options.refresh) {
    const hit = await ctx.prisma.remoteKey.findUnique({ where: { keyId } });
    if (hit) return { publicKey: createPublicKey(hit.publicKeyPem), owner: hit.owner, cached: true };
  }
  if (!/^https?:\/\//.test(keyId)) return null;
  const fetched = await fetchActivityPubDocument(ctx, withoutFragment(keyId));
  if (!fetched.ok) return null;
  const doc = fetched.doc as Record<string, unknown>;
  const candidates: unknown[] = [];
  const direct = keyDoc.safeParse(doc);
  if (direct.success) candidates.push(direct.data);
  const pk = doc?.publicKey;
  candidates.push(...(Array.isArray(pk) ? pk : pk ? [pk] : []));
  for (const c of candidates) {
    const key = keyDoc.safeParse(c);
    if (!key.success || key.data.id !== keyId) continue;
    const owner = key.data.owner ?? key.data.controller ?? (typeof doc.id === "string" ? doc.id : null);
    if (!owner) continue;
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(key.data.publicKeyPem);
    } catch {
      return null;
    }
    await ctx.prisma.remoteKey.upsert({
      where: { keyId },
      create: { keyId, owner, publicKeyPem: key.data.publicKeyPem },
      update: { owner, publicKeyPem: key.data.publicKeyPem, fetchedAt: ctx.now() },
    });
    return { publicKey, owner, cached: false };
  }
  return null;
}
