// Accounts: registration, login and the user's public shape (product.md §2). Owns users and their
// passwords; tokens are issued through lib/tokens and key files through lib/crypto.
import { randomBytes } from "node:crypto";
import { access } from "node:fs/promises";
import { cacheTag, purgeCache } from "@/lib/cache";
import type { AppContext } from "@/lib/context";
import { actorKeyPaths, ensureActorEd25519Key, ensureActorKeyPair } from "@/lib/crypto";
import { isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enforceRateLimit } from "@/lib/http";
import { issueToken } from "@/lib/tokens";
import { verifyInvite, type Invite } from "./invites";
import { hashPassword, verifyPassword } from "./passwords";
import { USERNAME_PATTERN, type LoginInput, type RegisterUserInput } from "./schemas";
import { actorUrl } from "@/lib/urls";

export { INVITE_TTL_DAYS, inviteLink, issueInvite, verifyInvite, type Invite } from "./invites";
export { listUsersQuery, loginInput, registerUserInput, usernameSchema, USERNAME_PATTERN, type LoginInput, type RegisterUserInput } from "./schemas";
export { AUTH_BASE_PATH, authActionOf, sessionCookieName, sessionSecret } from "./session";

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

async function grantFor(ctx: AppContext, username: string): Promise<TokenGrant> {
  const { token, expiresAt } = await issueToken(ctx, { username });
  return {
    access_token: token,
    token_type: "bearer",
    expires_at: expiresAt.toISOString(),
    username,
    actor_id: actorUrl(ctx, username),
  };
}

/** Who is asking, for rate limits: the client's address, or null for a trusted internal caller. */
export interface CallerOptions {
  client: string | null;
}

/**
 * Whether a name without an account is kept for the operator: the instance's primary actor
 * (ARTDAG_USER, whose keys exist from the first start) and any name whose key files exist. Whoever
 * registered such a name would own its key pair and the activities signed with it.
 */
async function isReservedUsername(ctx: Pick<AppContext, "config">, username: string): Promise<boolean> {
  if (username === ctx.config.primaryUser) return true;
  const { privateKey, publicKey } = actorKeyPaths(ctx.config.keysDir, username);
  for (const file of [privateKey, publicKey]) {
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

function usernameTaken(username: string): AppError {
  return new AppError("username_taken", `The username '${username}' is already taken.`, {
    fields: { username: "This username is already taken." },
  });
}

/**
 * Writes the user row (and the invite's use) and the key files in one transaction: a taken name or
 * a used invite (also under concurrent requests) writes nothing. Existing key files are kept, so
 * the operator who claims the instance actor gets its key pair.
 */
async function createAccount(ctx: AppContext, username: string, passwordHash: string, invite: Invite | null): Promise<void> {
  await ctx.prisma.$transaction(async (tx) => {
    if (invite) {
      try {
        await tx.usedInvite.create({ data: { inviteId: invite.id, username } });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("invite_used", "This invite was already used: ask the operator for a new one.");
        throw err;
      }
    }
    try {
      await tx.user.create({ data: { username, passwordHash } });
    } catch (err) {
      if (isUniqueViolation(err)) throw usernameTaken(username);
      throw err;
    }
    // Inside the transaction, after the unique insert: only the winner of a race writes keys,
    // and a key failure rolls the user back.
    await ensureActorKeyPair(ctx.config.keysDir, username);
    await ensureActorEd25519Key(ctx.config.keysDir, username);
    // NodeInfo counts users. The user's own documents were 404s until now, and a 404 is never cached.
    await purgeCache(tx, [cacheTag.nodeinfo, cacheTag.user(username)]);
  });
}

/**
 * Creates a user with an argon2id password and an RSA key pair, and returns a login token, as
 * REGISTRATION allows: `closed` refuses, `invite` needs a valid unused invite. A reserved name
 * (isReservedUsername) is refused unless the invite names it. A refused registration writes nothing.
 * @throws AppError registration_closed, invite_required, invite_invalid, invite_expired, invite_used,
 *   username_reserved, username_taken, rate_limited
 */
export async function registerUser(ctx: AppContext, input: RegisterUserInput, caller: CallerOptions): Promise<TokenGrant> {
  const mode = ctx.config.registration;
  if (mode === "closed") {
    throw new AppError("registration_closed", "Registration is closed on this server: the operator creates accounts.");
  }
  if (caller.client !== null) await enforceRateLimit(ctx, `register:${caller.client}`, ctx.config.rateLimitRegister);
  if (mode === "invite" && !input.invite) {
    throw new AppError("invite_required", "Registration on this server needs an invite link from the operator.");
  }
  const invite = input.invite ? await checkInvite(ctx, input.invite) : null;
  if (invite?.username && invite.username !== input.username) {
    throw new AppError("invite_invalid", `This invite is for the username '${invite.username}' only.`, {
      fields: { username: `This invite is for '${invite.username}' only.` },
    });
  }
  if (await ctx.prisma.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
    throw usernameTaken(input.username);
  }
  if (!invite?.username && (await isReservedUsername(ctx, input.username))) {
    throw new AppError("username_reserved", `The username '${input.username}' is reserved for this instance's operator (its keys already exist).`, {
      fields: { username: "This username is reserved for the operator of this instance." },
    });
  }
  await createAccount(ctx, input.username, await hashPassword(input.password), invite);
  return grantFor(ctx, input.username);
}

/**
 * An invite that may still be used: signed by us, not expired, not used yet.
 * @throws AppError invite_invalid, invite_expired, invite_used
 */
export async function checkInvite(ctx: AppContext, token: string): Promise<Invite> {
  const invite = verifyInvite(ctx.jwtSecret, token, ctx.now());
  if (await ctx.prisma.usedInvite.findUnique({ where: { inviteId: invite.id }, select: { inviteId: true } })) {
    throw new AppError("invite_used", "This invite was already used: ask the operator for a new one.");
  }
  return invite;
}

/**
 * The operator's way in (`npm run create-user`): an account for any free name, reserved names and
 * the instance actor included, whatever REGISTRATION says, with a generated password that is
 * returned once and stored only as its hash. @throws AppError username_taken
 */
export async function createUserAsOperator(ctx: AppContext, username: string): Promise<{ username: string; password: string }> {
  const password = randomBytes(18).toString("base64url");
  await createAccount(ctx, username, await hashPassword(password), null);
  return { username, password };
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

/** Whether a user of this name exists (a string that cannot be a username never does, and costs no query). */
export async function userExists(ctx: AppContext, username: string): Promise<boolean> {
  if (!USERNAME_PATTERN.test(username)) return false;
  // Plain SQL: WebFinger asks this on every cold request, and the query builder costs more than the
  // query itself (about a third less CPU per call on PGlite).
  const rows = await ctx.prisma.$queryRaw<unknown[]>`SELECT 1 FROM users WHERE username = ${username}`;
  return rows.length > 0;
}

/** The public shape of a user. @throws AppError not_found ("There is no user …") */
export async function getUserOrThrow(ctx: AppContext, username: string): Promise<PublicUser> {
  const user = USERNAME_PATTERN.test(username) ? await getUser(ctx, username) : null;
  if (!user) throw new AppError("not_found", `There is no user ${username}.`);
  return user;
}

/** The public shape of a user, or null. */
export async function getUser(ctx: AppContext, username: string): Promise<PublicUser | null> {
  // Plain SQL, as in userExists: the actor asks this on every cold request.
  const [user] = await ctx.prisma.$queryRaw<{ username: string; created_at: Date }[]>`SELECT username, created_at FROM users WHERE username = ${username}`;
  return user ? { username: user.username, actor_id: actorUrl(ctx, user.username), created_at: user.created_at.toISOString() } : null;
}

export interface UserSummary extends PublicUser {
  asset_count: number;
}

/** Registered users, newest first, keyset-paged on their id. */
export async function listUsers(ctx: AppContext, query: { cursor?: string; limit: number }): Promise<{ items: UserSummary[]; next_cursor: string | null }> {
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
      actor_id: actorUrl(ctx, u.username),
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
  return u ? { username: u.username, actor_id: actorUrl(ctx, u.username), created_at: u.createdAt.toISOString(), asset_count: u._count.assets } : null;
}
