import { createHash, randomUUID } from "node:crypto";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";
import type { AppContext } from "@/lib/context";

/** The claims of every L2 token (protocols.md §4). */
export interface TokenClaims {
  sub: string;
  username: string;
  iat: number;
  exp: number;
  jti: string;
  l2_server: string;
  /** Present only on renderer tokens: the one L1 the token is scoped to. */
  l1_server?: string;
  /** Renderer tokens: SHA-256 hex of the login token they were issued from. */
  sid?: string;
}

export type VerifyTokenResult =
  | { ok: true; claims: TokenClaims; tokenHash: string }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" | "not_yet_valid" | "wrong_issuer" | "revoked" | "scoped" | "unknown_user" };

/**
 * How far `iat` / `nbf` may lie in the future: the clock drift we tolerate between replicas (or an
 * operator's clock fix). Anything later was not issued by a sane clock of ours — a token minted
 * "for later" with a leaked secret, or by a replica whose clock is wrong — and is refused.
 */
export const TOKEN_FUTURE_SKEW_SECONDS = 60;

const claimsSchema = z.object({
  sub: z.string().min(1),
  username: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1),
  l2_server: z.string().min(1),
  l1_server: z.string().min(1).optional(),
  sid: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  // We never issue nbf; one that is present must still be a sane time.
  nbf: z.number().optional(),
});

/** The secret as an HMAC key, imported once per secret: jose imports a raw secret on every call (~60 µs). */
const hmacKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", Uint8Array.from(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** SHA-256 hex of a token: how revocations name it without storing the token. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Signs a new HS256 token for `username`, valid for the configured session lifetime. */
export async function issueToken(
  ctx: AppContext,
  params: { username: string; ttlSeconds?: number; extraClaims?: Record<string, string> },
): Promise<{ token: string; claims: TokenClaims; expiresAt: Date }> {
  const iat = Math.floor(ctx.now().getTime() / 1000);
  const exp = iat + (params.ttlSeconds ?? ctx.config.sessionTtlSeconds);
  const claims: TokenClaims = {
    sub: params.username,
    username: params.username,
    iat,
    exp,
    jti: randomUUID(),
    l2_server: ctx.config.baseUrl,
    ...params.extraClaims,
  };
  const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(await hmacKey(ctx.jwtSecret));
  return { token, claims, expiresAt: new Date(exp * 1000) };
}

/**
 * Checks a token's signature (HS256 only: `alg: none` and every other algorithm are refused), its
 * expiry against the context's clock (no tolerance), that it was not issued (`iat`) or made valid
 * (`nbf`) more than TOKEN_FUTURE_SKEW_SECONDS in the future, its issuer and its claims.
 * Revocation is checked separately.
 */
export async function verifyTokenSignature(
  ctx: AppContext,
  token: string,
): Promise<{ ok: true; claims: TokenClaims } | { ok: false; reason: "malformed" | "bad_signature" | "expired" | "not_yet_valid" | "wrong_issuer" }> {
  if (token.length > 4096 || token.split(".").length !== 3) return { ok: false, reason: "malformed" };
  const now = Math.floor(ctx.now().getTime() / 1000);
  let payload: unknown;
  try {
    // jose's tolerance applies to nbf (and exp); exp is checked again below with none.
    ({ payload } = await jwtVerify(token, await hmacKey(ctx.jwtSecret), {
      algorithms: ["HS256"],
      currentDate: ctx.now(),
      clockTolerance: TOKEN_FUTURE_SKEW_SECONDS,
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: "expired" };
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: "bad_signature" };
    if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "nbf") return { ok: false, reason: "not_yet_valid" };
    return { ok: false, reason: "malformed" };
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success || parsed.data.sub !== parsed.data.username) return { ok: false, reason: "malformed" };
  const { nbf, ...claims } = parsed.data;
  if (claims.exp <= now) return { ok: false, reason: "expired" };
  if (claims.iat > now + TOKEN_FUTURE_SKEW_SECONDS) return { ok: false, reason: "not_yet_valid" };
  if (nbf !== undefined && nbf > now + TOKEN_FUTURE_SKEW_SECONDS) return { ok: false, reason: "not_yet_valid" };
  if (claims.l2_server !== ctx.config.baseUrl) return { ok: false, reason: "wrong_issuer" };
  return { ok: true, claims };
}
