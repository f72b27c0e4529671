// Set-up shared by the fault tests: a spawned server whose users are followed by a real Fedify
// peer on loopback (so every Create has a delivery), started again on the same data after a crash.
import { Follow, Person } from "@fedify/vocab";
import { expect } from "@playwright/test";
import { PASSWORD, uniqueUsername } from "./api";
import { peerId, type FedifyPeer } from "./fedify-peer";
import type { WriterUser } from "./load";
import { NO_RATE_LIMITS, type ServerSpec } from "./servers";
import { startServer, type SpawnedServer } from "./spawn";

/** The environment of a fault test's server: federation with loopback peers allowed. */
export function faultEnv(databaseUrl: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...NO_RATE_LIMITS,
    JWT_SECRET: "e2e-faults-secret-0123456789abcdef0123456789abcdef",
    DATABASE_URL: databaseUrl ?? "",
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true",
    ...extra,
  };
}

/** Registers `count` users on `server` (POST /auth/register) and returns their tokens. */
export async function registerUsers(server: ServerSpec, prefix: string, count: number): Promise<WriterUser[]> {
  const users: WriterUser[] = [];
  for (let i = 0; i < count; i++) {
    const username = uniqueUsername(`${prefix}${i}`);
    const res = await fetch(`${server.url}/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(201);
    users.push({ username, token: (JSON.parse(text) as { access_token: string }).access_token });
  }
  return users;
}

/** The peer's `bob` follows each user (a signed Follow, verified by our server); waits for each to be listed. */
export async function followAll(server: ServerSpec, peer: FedifyPeer, users: WriterUser[]): Promise<void> {
  for (const user of users) {
    const actor = `${server.url}/users/${user.username}`;
    const person = await peer.ctx.lookupObject(actor);
    expect(person, `the peer finds ${actor}`).toBeInstanceOf(Person);
    const follow = new Follow({ id: peerId(peer, "follows"), actor: peer.actorUri("bob"), object: (person as Person).id });
    await peer.ctx.sendActivity({ identifier: "bob" }, person as Person, follow);
    const res = await fetch(`${actor}/followers`, { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { totalItems: number }).totalItems, `${user.username} has its follower`).toBe(1);
  }
}

/** The inbox every Create goes to: the peer's shared inbox. */
export function peerInbox(peer: FedifyPeer): string {
  return `${peer.origin}/inbox`;
}

/** How often each Create reached the peer and was accepted there, by activity id. */
export function acceptedCreates(peer: FedifyPeer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const post of peer.inboxPosts) {
    if (post.json?.type !== "Create" || post.status < 200 || post.status >= 300) continue;
    const id = String(post.json.id);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Starts the server again on the same data folder and database, as an operator would after a crash. */
/**
 * Makes the Fedify peer forget our users' keys it failed to fetch while our server was down. Fedify
 * caches a key it could not fetch as unavailable for 10 minutes (KvKeyCache's unavailableKeyTtl,
 * which createFederation does not expose) and refuses with 401 whatever that key signs meanwhile,
 * so our deliveries back off until then. Seen here: every delivery of a user left at 4 attempts,
 * 401. A real peer does the same; the tests check our side (the deliveries go out once the peer
 * accepts them), so the peer is made to look again, as it would after those 10 minutes.
 */
export async function forgetUnavailableKeys(peer: FedifyPeer, serverUrl: string, usernames: string[]): Promise<void> {
  for (const username of usernames) await peer.kv.delete(["_fedify", "publicKey", `${serverUrl}/users/${username}#main-key`]);
}

export async function restart(server: ServerSpec, env: Record<string, string>): Promise<SpawnedServer> {
  return startServer(server, env, 120_000);
}
