// Accounts: registration, login and the user's public shape (product.md §2). Owns users and their
// passwords; tokens are issued through lib/tokens and key files through lib/crypto.
import type { AppContext } from "@/lib/context";
import { ensureActorEd25519Key, ensureActorKeyPair } from "@/lib/crypto";
import { isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/http/errors";
import { enforceRateLimit } from "@/lib/http/rate-limit";
import { issueToken } from "@/lib/tokens";
import { hashPassword, verifyPassword } from "./passwords";
import { USERNAME_PATTERN, type LoginInput, type RegisterUserInput } from "./schemas";

export { listUsersQuery, loginInput, registerUserInput, usernameSchema, USERNAME_PATTERN, type LoginInput, type RegisterUserInput } from "./schemas";

/** The token answer of register and login (product.md §2). */
export interface TokenGrant {
  access_token: string;
  token_type: "bearer";
  expires_at: string;
  username: string;
  actor_id: string;
}

export interface PublicUser {
  username: string;
  actor_id: string;
  created_at: string;
}

/** The ActivityPub id of a user's actor. */
export function actorId(ctx: Pick<AppContext, "config">, username: string): string {
  return `${ctx.config.baseUrl}/users/${username}`;
}

async function grantFor(ctx: AppContext, username: string): Promise<TokenGrant> {
  const { token, expiresAt } = await issueToken(ctx, { username });
  return {
    access_token: token,
    token_type: "bearer",
    expires_at: expiresAt.toISOString(),
    username,
    actor_id: actorId(ctx, username),
  };
}

/** Who is asking, for rate limits: the client's address, or null for a trusted internal caller. */
export interface CallerOptions {
  client: string | null;
}

/**
 * Creates a user with an argon2id password and an RSA key pair, and returns a login token. The row
 * and the key are written in one transaction: a taken name (also under a concurrent registration)
 * gets 409 and writes nothing. @throws AppError username_taken, rate_limited
 */
export async function registerUser(ctx: AppContext, input: RegisterUserInput, caller: CallerOptions): Promise<TokenGrant> {
  if (caller.client !== null) await enforceRateLimit(ctx, `register:${caller.client}`, ctx.config.rateLimitRegister);
  const passwordHash = await hashPassword(input.password);
  try {
    await ctx.prisma.$transaction(async (tx) => {
      await tx.user.create({ data: { username: input.username, passwordHash } });
      // Inside the transaction, after the unique insert: only the winner of a race writes keys,
      // and a key failure rolls the user back.
      await ensureActorKeyPair(ctx.config.keysDir, input.username);
      await ensureActorEd25519Key(ctx.config.keysDir, input.username);
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError("username_taken", `The username '${input.username}' is already taken.`, {
        fields: { username: "This username is already taken." },
      });
    }
    throw err;
  }
  return grantFor(ctx, input.username);
}

/**
 * Checks a username and password and returns a login token. Unknown users and wrong passwords get
 * the same 401 after the same work. @throws AppError invalid_credentials, rate_limited
 */
export async function loginUser(ctx: AppContext, input: LoginInput, caller: CallerOptions): Promise<TokenGrant> {
  if (caller.client !== null) await enforceRateLimit(ctx, `login:${caller.client}`, ctx.config.rateLimitLogin);
  const user = USERNAME_PATTERN.test(input.username)
    ? await ctx.prisma.user.findUnique({ where: { username: input.username }, select: { passwordHash: true } })
    : null;
  const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user || !ok) throw new AppError("invalid_credentials", "Invalid username or password.");
  return grantFor(ctx, input.username);
}

/** The public shape of a user, or null. */
export async function getUser(ctx: AppContext, username: string): Promise<PublicUser | null> {
  const user = await ctx.prisma.user.findUnique({ where: { username }, select: { username: true, createdAt: true } });
  return user ? { username: user.username, actor_id: actorId(ctx, user.username), created_at: user.createdAt.toISOString() } : null;
}


export interface UserSummary extends PublicUser {
  asset_count: number;
}

/** Registered users, newest first, keyset-paged on their id. */
export async function listUsers(
  ctx: AppContext,
  query: { cursor?: string; limit: number },
): Promise<{ items: UserSummary[]; next_cursor: string | null }> {
  const rows = await ctx.prisma.user.findMany({
    where: query.cursor ? { id: { lt: Number(query.cursor) } } : {},
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: { id: true, username: true, createdAt: true, _count: { select: { assets: true } } },
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((u) => ({
      username: u.username,
      actor_id: actorId(ctx, u.username),
      created_at: u.createdAt.toISOString(),
      asset_count: u._count.assets,
    })),
    next_cursor: rows.length > query.limit ? String(page[page.length - 1].id) : null,
  };
}

/** A user's public profile with their asset count, or null. */
export async function getUserProfile(ctx: AppContext, username: string): Promise<UserSummary | null> {
  if (!USERNAME_PATTERN.test(username)) return null;
  const u = await ctx.prisma.user.findUnique({
    where: { username },
    select: { username: true, createdAt: true, _count: { select: { assets: true } } },
  });
  return u
    ? { username: u.username, actor_id: actorId(ctx, u.username), created_at: u.createdAt.toISOString(), asset_count: u._count.assets }
    : null;
}
