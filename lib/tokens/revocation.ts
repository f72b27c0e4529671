import { cacheTag, purgeCache } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { tokenHash, type TokenClaims } from "./jwt";

/**
 * Records a token as revoked until it would have expired anyway, and purges its held verifications
 * (and those of every token issued from it) here and in every replica. Revoking twice is harmless.
 */
export async function revokeToken(ctx: AppContext, token: string, claims: Pick<TokenClaims, "username" | "exp">): Promise<void> {
  const hash = tokenHash(token);
  await ctx.prisma.revokedToken.createMany({
    data: [{ tokenHash: hash, username: claims.username, expiresAt: new Date(claims.exp * 1000) }],
    skipDuplicates: true,
  });
  await purgeCache(ctx.prisma, [cacheTag.token(hash)]);
}

/** Deletes revocations of tokens that have expired: they fail verification on their own now. */
export async function cleanupExpiredRevocations(ctx: AppContext): Promise<number> {
  const r = await ctx.prisma.revokedToken.deleteMany({ where: { expiresAt: { lt: ctx.now() } } });
  return r.count;
}
