// Every URL this server mints for the things it publishes: actors and their keys and collections,
// activities, objects, anchors, the instance actor, the shared inbox. One home, so an actor's id in
// an activity, its key id in a signature and its address in WebFinger can never drift apart.
import type { Config } from "@/lib/config";

/** Anything that knows our public base URL (a context, or the config itself). */
type Base = { config: Pick<Config, "baseUrl"> };

/** The actor (Person) of a user: `{base}/users/{username}`. */
export function actorUrl(ctx: Base, username: string): string {
  return `${ctx.config.baseUrl}/users/${username}`;
}

/** The RSA key of a user's actor (HTTP Signatures, the Art DAG signature's `creator`). */
export function actorKeyId(ctx: Base, username: string): string {
  return `${actorUrl(ctx, username)}#main-key`;
}

/** One of a user's collections: inbox, outbox, followers, following. */
export function collectionUrl(ctx: Base, username: string, name: "inbox" | "outbox" | "followers" | "following"): string {
  return `${actorUrl(ctx, username)}/${name}`;
}

/** The user whose actor URL this is (`{base}/users/{name}`, nothing after the name), or null. */
export function usernameOfActorUrl(ctx: Base, url: string): string | null {
  const prefix = `${ctx.config.baseUrl}/users/`;
  if (!url.startsWith(prefix)) return null;
  const rest = url.slice(prefix.length);
  return rest === "" || rest.includes("/") ? null : rest;
}

/** An activity we published: `{base}/activities/{id}`. */
export function activityUrl(ctx: Base, activityId: string): string {
  return `${ctx.config.baseUrl}/activities/${activityId}`;
}

/** The id part of one of our activity URLs, or null when the string is not one. */
export function activityIdOfUrl(ctx: Base, url: string): string | null {
  const prefix = `${ctx.config.baseUrl}/activities/`;
  return url.startsWith(prefix) ? url.slice(prefix.length) : null;
}

/** The OpenTimestamps proof of an activity. */
export function activityOtsUrl(ctx: Base, activityId: string): string {
  return `${activityUrl(ctx, activityId)}/ots`;
}

/** The claimed object (the media) of an asset, by content hash. */
export function objectUrl(ctx: Base, contentHash: string): string {
  return `${ctx.config.baseUrl}/objects/${contentHash}`;
}

/** An anchor (Merkle root of a batch of activities). */
export function anchorUrl(ctx: Base, root: string): string {
  return `${ctx.config.baseUrl}/anchors/${root}`;
}

/** The instance actor (an Application) that signs our outbound fetches. */
export function instanceActorUrl(ctx: Base): string {
  return `${ctx.config.baseUrl}/actor`;
}

export function instanceKeyId(ctx: Base): string {
  return `${instanceActorUrl(ctx)}#main-key`;
}

export function sharedInboxUrl(ctx: Base): string {
  return `${ctx.config.baseUrl}/inbox`;
}
