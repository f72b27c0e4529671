import type { AppContext } from "@/lib/context";
import { actorMultikey, DATA_INTEGRITY_CONTEXT, ensureActorEd25519Key, readActorEd25519Key, readActorPublicKey } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { getUserOrThrow, USERNAME_PATTERN, userExists } from "@/lib/accounts";
import { clientDidKeyDefect, findClientKeyOwner } from "@/lib/clients";
import { actorKeyId, actorUrl, collectionUrl, instanceActorUrl, instanceKeyId, sharedInboxUrl, usernameOfActorUrl } from "@/lib/urls";

export const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";
const SECURITY_CONTEXT = "https://w3id.org/security/v1";
const NODEINFO_21_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/** A JRD document (RFC 7033). */
export interface Jrd {
  subject: string;
  aliases: string[];
  links: { rel: string; type?: string; href: string }[];
}

/**
 * The username a WebFinger resource names on this server: `acct:user@domain` (also without the
 * scheme) or the actor URL. Null when it names another server or nothing we could hold.
 * @throws AppError invalid_request for a resource that is not a URI at all
 */
export function webfingerUsername(ctx: AppContext, resource: string): string | null {
  const value = resource.trim();
  if (!value || value.length > 512) throw new AppError("invalid_request", "resource is required (acct:user@domain or an actor URL).");
  const acct = /^(?:acct:)?@?([^@\s/]+)@([^@\s/]+)$/i.exec(value);
  if (acct) {
    if (acct[2].toLowerCase() !== ctx.config.domain.toLowerCase()) return null;
    return acct[1].toLowerCase() === acct[1] ? acct[1] : null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError("invalid_request", "resource must be acct:user@domain or an http(s) URL.");
  }
  if (url.protocol === "acct:") throw new AppError("invalid_request", "resource must be acct:user@domain.");
  return usernameOfActorUrl(ctx, url.origin + url.pathname);
}

/**
 * The JRD for a WebFinger resource (product.md §4): subject, aliases and a `self` link of type
 * application/activity+json. A registered client `did:key:…` (product.md §6) answers with its
 * owner's JRD. @throws AppError invalid_request, not_found
 */
export async function webfinger(ctx: AppContext, resource: string): Promise<Jrd> {
  const value = resource.trim();
  // A client key's owner always exists (client_keys.username references users, ON DELETE CASCADE):
  // the one query that finds the owner is enough.
  const username = value.startsWith("did:key:") ? await didKeyOwner(ctx, value) : webfingerUsername(ctx, resource);
  if (!username || !(value.startsWith("did:key:") || (await userExists(ctx, username))))
    throw new AppError("not_found", `There is no actor for ${resource} here.`);
  const actor = actorUrl(ctx, username);
  return {
    subject: `acct:${username}@${ctx.config.domain}`,
    aliases: [actor],
    links: [
      { rel: "self", type: "application/activity+json", href: actor },
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: actor },
    ],
  };
}

/**
 * The owner of a registered client did:key (BIN-2: a client finds its actor this way); null when
 * never registered or removed. @throws AppError invalid_request for a malformed did:key
 */
async function didKeyOwner(ctx: AppContext, didKey: string): Promise<string | null> {
  const defect = clientDidKeyDefect(didKey);
  if (defect) throw new AppError("invalid_request", `resource: ${defect.replace(/^did_key /, "the did:key ")}.`);
  return findClientKeyOwner(ctx, didKey);
}

/** `/.well-known/nodeinfo`: where the NodeInfo 2.1 document is. */
export function nodeinfoLinks(ctx: AppContext) {
  return { links: [{ rel: NODEINFO_21_SCHEMA, href: `${ctx.config.baseUrl}/nodeinfo/2.1` }] };
}

/** NodeInfo 2.1 (software, protocols, usage). */
export async function nodeinfo(ctx: AppContext, software: { name: string; version: string }) {
  const [users, posts] = await Promise.all([ctx.prisma.user.count(), ctx.prisma.activity.count()]);
  return {
    version: "2.1",
    software: { name: software.name, version: software.version, homepage: ctx.config.baseUrl },
    protocols: ["activitypub"],
    services: { inbound: [], outbound: [] },
    openRegistrations: ctx.config.registration === "open",
    usage: { users: { total: users }, localPosts: posts },
    metadata: { nodeName: `Art DAG L2 (${ctx.config.domain})` },
  };
}

/**
 * The actor (`Person`) of a registered user (product.md §4): inbox, outbox, followers,
 * following, the shared inbox, and the RSA key that signs its activities and requests.
 * @throws AppError not_found
 */
export async function actorDocument(ctx: AppContext, username: string): Promise<Record<string, unknown>> {
  if (!USERNAME_PATTERN.test(username)) throw new AppError("not_found", `There is no user ${username}.`);
  // The user's row and both key files at once: the query waits on the database, the reads on the
  // file system, and a cold actor waited for each in turn.
  const [user, publicKeyPem, ed25519Read] = await Promise.all([
    getUserOrThrow(ctx, username),
    readActorPublicKey(ctx.config.keysDir, username),
    readActorEd25519Key(ctx.config.keysDir, username),
  ]);
  if (!publicKeyPem) throw new AppError("not_found", `There is no user ${username}.`);
  // Users registered before Ed25519 keys existed get theirs on first use.
  let ed25519 = ed25519Read;
  if (!ed25519) {
    await ensureActorEd25519Key(ctx.config.keysDir, username);
    ed25519 = await readActorEd25519Key(ctx.config.keysDir, username);
  }
  const actor = actorUrl(ctx, username);
  return {
    // did/v1 and multikey/v1 let JSON-LD consumers (Fedify) see assertionMethod's Multikey.
    "@context": [AS_CONTEXT, SECURITY_CONTEXT, DATA_INTEGRITY_CONTEXT, "https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    id: actor,
    type: "Person",
    preferredUsername: username,
    name: username,
    url: actor,
    inbox: collectionUrl(ctx, username, "inbox"),
    outbox: collectionUrl(ctx, username, "outbox"),
    followers: collectionUrl(ctx, username, "followers"),
    following: collectionUrl(ctx, username, "following"),
    endpoints: { sharedInbox: sharedInboxUrl(ctx) },
    publicKey: { id: actorKeyId(ctx, username), owner: actor, publicKeyPem },
    // FEP-521a: the Ed25519 key that makes the FEP-8b32 proofs on this actor's activities.
    assertionMethod: ed25519 ? [actorMultikey(actor, ed25519.publicKey)] : [],
    published: user.created_at.replace(/\.\d{3}Z$/, "Z"),
  };
}

/**
 * The instance actor (`/actor`, an Application): it signs our outbound fetches, so servers that
 * require signed GETs (authorized fetch) still answer us. Its key is ARTDAG_USER's key pair.
 * @throws AppError not_found when the key is missing
 */
export async function instanceActorDocument(ctx: AppContext): Promise<Record<string, unknown>> {
  const publicKeyPem = await readActorPublicKey(ctx.config.keysDir, ctx.config.primaryUser);
  if (!publicKeyPem) throw new AppError("not_found", "The instance actor has no key yet.");
  const id = instanceActorUrl(ctx);
  return {
    "@context": [AS_CONTEXT, SECURITY_CONTEXT],
    id,
    type: "Application",
    preferredUsername: ctx.config.domain.replace(/[^A-Za-z0-9_]/g, "_"),
    name: `Art DAG L2 (${ctx.config.domain})`,
    inbox: sharedInboxUrl(ctx),
    outbox: `${id}/outbox`,
    endpoints: { sharedInbox: sharedInboxUrl(ctx) },
    publicKey: { id: instanceKeyId(ctx), owner: id, publicKeyPem },
  };
}
