// Tokens: issuing, verifying and revoking L2's HS256 JWTs (protocols.md §4), renderer-scoped tokens
// and their record, and where the secret comes from. Accounts decide who gets a login token;
// renderers decide who gets a scoped one.
import { cacheTag, purgeCache, verifiedTokens } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { tokenHash, verifyTokenSignature, type TokenClaims, type VerifyTokenResult } from "./jwt";
import type { Prisma } from "@/lib/db";
import { revokeIssuedTokens } from "./scoped";
import { sessionTokenState } from "./token-user";

export { issueToken, TOKEN_FUTURE_SKEW_SECONDS, tokenHash, verifyTokenSignature, type TokenClaims, type VerifyTokenResult } from "./jwt";
export { cleanupExpiredRevocations, revokeToken } from "./revocation";
export { resolveJwtSecret, type JwtSecretSource } from "./secret";
export {
  cleanupExpiredIssuedTokens,
  issueScopedToken,
  revokeIssuedTokens,
  verifyScopedToken,
  type IssuedTokenRow,
  type VerifyScopedTokenResult,
} from "./scoped";

/** What a held login-token verification is for (lib/cache verifiedTokens); no L1 URL has this form. */
const SESSION_SCOPE = "l2-session";

/**
 * Verifies a login (session) token: signature, expiry, issuer, not revoked, not a renderer
 * token (a token scoped to an L1 must never act as the user at L2), and its account exists.
 * A positive answer is held in memory (lib/cache verifiedTokens) and given again, without the
 * database, until the token expires or a purge names it or its account: every revocation purges
 * the token's tag in every replica, and nothing is held while this process might miss a purge.
 */
export async function verifySessionToken(ctx: AppContext, token: string): Promise<VerifyTokenResult> {
  const verified = verifiedTokens();
  const held = await verified.lookup(token, SESSION_SCOPE, ctx.now().getTime());
  if (held) return { ok: true, claims: held.body as TokenClaims, tokenHash: tokenHash(token) };
  const startedAt = verified.begin();
  const sig = await verifyTokenSignature(ctx, token);
  if (!sig.ok) return sig;
  if (sig.claims.l1_server !== undefined) return { ok: false, reason: "scoped" };
  const hash = tokenHash(token);
  const state = await sessionTokenState(ctx, hash, sig.claims.username);
  if (state.revoked) return { ok: false, reason: "revoked" };
  if (!state.userExists) return { ok: false, reason: "unknown_user" };
  verified.remember(
    token,
    { scope: SESSION_SCOPE, body: sig.claims, text: "", exp: sig.claims.exp, tags: [cacheTag.token(hash), cacheTag.account(sig.claims.username)] },
    startedAt,
    ctx.now().getTime(),
  );
  return { ok: true, claims: sig.claims, tokenHash: hash };
}

/**
 * Inside a transaction, revokes a login token and every renderer token issued from it, so each
 * fails everywhere at once (Bearer, browser cookie, /auth/verify) and stays revoked across
 * restarts. Returns the renderer tokens in clear, for the revocation calls to their L1s.
 */
export async function revokeSession(
  ctx: AppContext,
  tx: Prisma.TransactionClient,
  token: string,
  claims: Pick<TokenClaims, "username" | "exp">,
): Promise<{ l1Server: string; token: string | null; username: string }[]> {
  const hash = tokenHash(token);
  await tx.revokedToken.createMany({
    data: [{ tokenHash: hash, username: claims.username, expiresAt: new Date(claims.exp * 1000) }],
    skipDuplicates: true,
  });
  // Every renderer token issued from this one carries its tag too (lib/renderers), so one purge
  // drops their held verifications in every replica.
  await purgeCache(tx, [cacheTag.token(hash)]);
  const children = await tx.issuedToken.findMany({ where: { parentHash: hash, expiresAt: { gt: ctx.now() } } });
  return revokeIssuedTokens(ctx, tx, children);
}
