import { cacheTag, purgeCache } from "@/lib/cache";
import { deriveKey, seal, unseal } from "@/lib/crypto";
import type { AppContext } from "@/lib/context";
import type { Prisma } from "@/lib/db";
import { issueToken, tokenHash, verifyTokenSignature, type TokenClaims } from "./jwt";

type Tx = Prisma.TransactionClient;

export type VerifyScopedTokenResult =
  | { ok: true; claims: TokenClaims & { l1_server: string; sid: string } }
  | {
      ok: false;
      reason:
        | "malformed"
        | "bad_signature"
        | "expired"
        | "not_yet_valid"
        | "wrong_issuer"
        | "unscoped"
        | "other_l1"
        | "not_issued"
        | "revoked"
        | "parent_revoked"
        | "unknown_user";
    };

function storeKey(ctx: Pick<AppContext, "jwtSecret">): Buffer {
  return deriveKey(ctx.jwtSecret, "issued renderer tokens v1");
}

/**
 * Issues a token scoped to one L1 from a login token (protocols.md §4): `l1_server` names the L1,
 * `sid` the parent, and it expires with its parent. It is recorded (encrypted) so it can be
 * revoked with its attachment or its parent session and handed to the L1 when it is.
 */
export async function issueScopedToken(
  ctx: AppContext,
  db: Tx | AppContext["prisma"],
  parent: { token: string; claims: TokenClaims },
  l1Server: string,
): Promise<{ token: string; claims: TokenClaims; tokenHash: string }> {
  const now = Math.floor(ctx.now().getTime() / 1000);
  const sid = tokenHash(parent.token);
  const { token, claims, expiresAt } = await issueToken(ctx, {
    username: parent.claims.username,
    ttlSeconds: Math.max(1, parent.claims.exp - now),
    extraClaims: { l1_server: l1Server, sid },
  });
  const hash = tokenHash(token);
  await db.issuedToken.create({
    data: {
      tokenHash: hash,
      username: claims.username,
      l1Server,
      parentHash: sid,
      tokenCiphertext: seal(storeKey(ctx), token),
      expiresAt,
    },
  });
  return { token, claims, tokenHash: hash };
}

/**
 * Verifies a renderer token for the L1 presenting it: signature, expiry and issuer; scoped to that
 * same L1; issued by us; neither it nor the login token it came from revoked.
 */
export async function verifyScopedToken(ctx: AppContext, token: string, l1Server: string): Promise<VerifyScopedTokenResult> {
  const sig = await verifyTokenSignature(ctx, token);
  if (!sig.ok) return sig;
  const { l1_server, sid } = sig.claims;
  if (l1_server === undefined || sid === undefined) return { ok: false, reason: "unscoped" };
  if (l1_server !== l1Server) return { ok: false, reason: "other_l1" };
  const hash = tokenHash(token);
  // Every L1 login calls this: the four facts it needs come from one statement, one round trip
  // (issued by us for this L1; the token revoked; its login session revoked; its account there).
  const [issued] = await ctx.prisma.$queryRaw<{ l1_server: string; revoked: boolean; parent_revoked: boolean; user_exists: boolean }[]>`
    SELECT i.l1_server,
           EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.token_hash = i.token_hash) AS revoked,
           EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.token_hash = ${sid}) AS parent_revoked,
           EXISTS (SELECT 1 FROM users u WHERE u.username = ${sig.claims.username}) AS user_exists
      FROM issued_tokens i
     WHERE i.token_hash = ${hash}`;
  if (!issued || issued.l1_server !== l1Server) return { ok: false, reason: "not_issued" };
  if (issued.revoked) return { ok: false, reason: "revoked" };
  if (issued.parent_revoked) return { ok: false, reason: "parent_revoked" };
  if (!issued.user_exists) return { ok: false, reason: "unknown_user" };
  return { ok: true, claims: { ...sig.claims, l1_server, sid } };
}

export interface IssuedTokenRow {
  tokenHash: string;
  username: string;
  l1Server: string;
  expiresAt: Date;
  tokenCiphertext: string;
}

/**
 * Revokes issued renderer tokens (by hash, until they expire) and returns them in clear for the
 * L1 revocation calls; tokens whose ciphertext no longer opens (the secret changed) are revoked but
 * not returned.
 */
export async function revokeIssuedTokens(
  ctx: AppContext,
  tx: Tx,
  rows: IssuedTokenRow[],
): Promise<{ l1Server: string; token: string | null; username: string }[]> {
  if (rows.length === 0) return [];
  await tx.revokedToken.createMany({
    data: rows.map((r) => ({ tokenHash: r.tokenHash, username: r.username, expiresAt: r.expiresAt })),
    skipDuplicates: true,
  });
  // Their held verifications go too, here and in every replica, when the transaction commits.
  await purgeCache(
    tx,
    rows.map((r) => cacheTag.token(r.tokenHash)),
  );
  const key = storeKey(ctx);
  return rows.map((r) => ({ l1Server: r.l1Server, username: r.username, token: unseal(key, r.tokenCiphertext) }));
}

/** Deletes records of renderer tokens that have expired. */
export async function cleanupExpiredIssuedTokens(ctx: AppContext): Promise<number> {
  const r = await ctx.prisma.issuedToken.deleteMany({ where: { expiresAt: { lt: ctx.now() } } });
  return r.count;
}
