// Tokens: issuing, verifying and revoking L2's HS256 JWTs (protocols.md §4), and where the secret
// comes from. Renderer scoping and /auth/verify build on these; accounts decide who gets a token.
import type { AppContext } from "@/lib/context";
import { tokenHash, verifyTokenSignature, type TokenClaims, type VerifyTokenResult } from "./jwt";
import { isTokenRevoked, revokeToken } from "./revocation";

export { issueToken, tokenHash, verifyTokenSignature, type TokenClaims, type VerifyTokenResult } from "./jwt";
export { cleanupExpiredRevocations, isTokenRevoked, revokeToken } from "./revocation";
export { resolveJwtSecret, type JwtSecretSource } from "./secret";

/**
 * Verifies a login (session) token: signature, expiry, issuer, not revoked, and not a renderer
 * token (a token scoped to an L1 must never act as the user at L2).
 */
export async function verifySessionToken(ctx: AppContext, token: string): Promise<VerifyTokenResult> {
  const sig = await verifyTokenSignature(ctx, token);
  if (!sig.ok) return sig;
  if (sig.claims.l1_server !== undefined) return { ok: false, reason: "scoped" };
  const hash = tokenHash(token);
  if (await isTokenRevoked(ctx, hash)) return { ok: false, reason: "revoked" };
  return { ok: true, claims: sig.claims, tokenHash: hash };
}

/**
 * Logs a session out: its token is revoked at once, so it fails everywhere (Bearer and browser
 * cookie alike) and stays revoked across restarts.
 */
export async function revokeSession(ctx: AppContext, token: string, claims: TokenClaims): Promise<void> {
  await revokeToken(ctx, token, claims);
}
