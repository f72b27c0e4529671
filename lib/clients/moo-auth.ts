import { createHash } from "node:crypto";
import type { AppContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { MOO_AUTH_MAX_SKEW_SECONDS, verifyMooAuth, type SignedRequest } from "@/lib/http-signatures";

export interface MooAuthCaller {
  username: string;
  didKey: string;
}

/**
 * How long an accepted signature is remembered. A request is accepted while its Date is within
 * ±window of now, so a signature first seen at t can still be fresh until t + 2 × window.
 */
const MOO_AUTH_SEEN_SECONDS = 2 * MOO_AUTH_MAX_SKEW_SECONDS;

function unauthorized(message: string): AppError {
  return new AppError("unauthorized", message, { headers: { "www-authenticate": 'Moo-Auth-1 realm="artdag"' } });
}

/**
 * Authenticates a Moo-Auth-1 request as its key's actor (protocols.md §3): the signature checks
 * (Host = config.domain, Date ±5 min of ctx.now(), Digest on POST, Ed25519 signature), then the
 * did:key must be registered, and the (did, signature) pair must not have been seen before. Marks
 * the key as used. `alternativePaths`: paths a rewrite may have changed the signed one from.
 * @throws AppError unauthorized, whose message says what failed
 */
export async function authenticateMooAuth(ctx: AppContext, req: SignedRequest, options: { alternativePaths?: string[] } = {}): Promise<MooAuthCaller> {
  let path: string;
  let query: string;
  try {
    ({ pathname: path, search: query } = new URL(req.url));
  } catch {
    throw unauthorized("Moo-Auth-1 failed: the request URL could not be read.");
  }
  const result = verifyMooAuth(
    { method: req.method, path, headers: req.headers, body: req.body },
    { expectedHost: ctx.config.domain, now: ctx.now(), alternativePaths: options.alternativePaths },
  );
  if (!result.ok) throw unauthorized(`Moo-Auth-1 failed: ${result.detail}.`);

  // One round trip: the key's owner, the replay record and the key's last use, together. The
  // INSERT happens only for a registered key, so garbage cannot fill the table; a conflict on it
  // is a replay, and then last_used_at is left alone.
  const seen = createHash("sha256")
    .update(replayMaterial(req.method, result.didKey, result.signature, query))
    .digest("hex");
  const now = ctx.now();
  const rows = await ctx.prisma.$queryRaw<{ username: string; fresh: boolean }[]>`
    WITH key AS (SELECT id, username FROM client_keys WHERE did_key = ${result.didKey}),
    seen AS (
      INSERT INTO moo_auth_seen (key, seen_at) SELECT ${seen}, ${now} WHERE EXISTS (SELECT 1 FROM key)
      ON CONFLICT (key) DO NOTHING RETURNING key
    ),
    used AS (
      UPDATE client_keys SET last_used_at = ${now}
      WHERE id = (SELECT id FROM key) AND EXISTS (SELECT 1 FROM seen) RETURNING id
    )
    SELECT username, EXISTS (SELECT 1 FROM seen) AS fresh FROM key`;
  const key = rows[0];
  if (!key) throw unauthorized(`Moo-Auth-1 failed: ${result.didKey} is not a registered client key here (or it was removed).`);
  if (!key.fresh) throw unauthorized("Moo-Auth-1 failed: this signed request was already used (a replay); sign every request anew.");
  return { username: key.username, didKey: result.didKey };
}

/**
 * What names a request in moo_auth_seen: `<did> <signature>` (protocols.md §3). The query string
 * is not signed and Date has one-second resolution, so a client paging a collection
 * (`/outbox`, then `/outbox?page=true` in the same second) makes the same signature twice; for
 * reads (GET, HEAD), which change nothing, the query is added so those are not taken for
 * replays. A write is refused on a repeated signature whatever its query.
 */
function replayMaterial(method: string, didKey: string, signature: string, query: string): string {
  const read = /^(GET|HEAD)$/i.test(method);
  return read && query ? `${didKey} ${signature} ${query}` : `${didKey} ${signature}`;
}

/** Forgets accepted signatures older than the replay window (they would fail the Date check anyway). */
export async function cleanupMooAuthSeen(ctx: AppContext): Promise<number> {
  const before = new Date(ctx.now().getTime() - MOO_AUTH_SEEN_SECONDS * 1000);
  const r = await ctx.prisma.mooAuthSeen.deleteMany({ where: { seenAt: { lt: before } } });
  return r.count;
}
