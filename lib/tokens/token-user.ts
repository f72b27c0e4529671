// Whether a login token may still act: not revoked, and the account it names exists. lib/tokens sits
// below lib/accounts (accounts issue tokens), so this one question about users is asked here rather
// than through accounts' face.
import type { AppContext } from "@/lib/context";

/**
 * The two facts a login token needs from the database, in one statement (one round trip; every
 * Bearer request asks): whether its hash is revoked, and whether the account it names exists. A
 * token is only as good as its account: one signed with our secret for a name that has no account
 * (never registered, or the instance actor's name before it is claimed) must not act for that name.
 */
export async function sessionTokenState(ctx: AppContext, hash: string, username: string): Promise<{ revoked: boolean; userExists: boolean }> {
  const [row] = await ctx.prisma.$queryRaw<{ revoked: boolean; user_exists: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.token_hash = ${hash}) AS revoked,
           EXISTS (SELECT 1 FROM users u WHERE u.username = ${username}) AS user_exists`;
  return { revoked: row.revoked, userExists: row.user_exists };
}
