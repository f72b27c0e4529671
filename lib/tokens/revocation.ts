import type { AppContext } from "@/lib/context";
import { tokenHash, type TokenClaims } from "./jwt";

/** Records a token as revoked until it would have expired anyway. Revoking twice is harmless. */
export async function revokeToken(ctx: AppContext, token: string, claims: Pick<TokenClaims, "username" | "exp">): Promise<void> {
  await ctx.prisma.revokedToken.createMany({
    data: [{ tokenHash: tokenHash(token), username: claims.username, expiresAt: new Date(claims.exp * 1000) }],
    skipDuplicates: true,
  });
}

/** Deletes revocations of tokens that have expired: they fail verification on their own now. */
export async function cleanupExpiredRevocations(ctx: AppContext): Promise<number> {
  const r = await ctx.prisma.revokedToken.deleteMany({ where: { expiresAt: { lt: ctx.now() } } });
  return r.count;
}
