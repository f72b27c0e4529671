// Whether the account a token names exists. lib/tokens sits below lib/accounts (accounts issue
// tokens), so this one question about users is asked here rather than through accounts' face.
import type { AppContext } from "@/lib/context";

/**
 * True when the account a token names exists. A token is only as good as its account: one signed
 * with our secret for a name that has no account (never registered, or the instance actor's name
 * before it is claimed) must not act for that name.
 */
export async function tokenUserExists(ctx: AppContext, username: string): Promise<boolean> {
  const row = await ctx.prisma.user.findUnique({ where: { username }, select: { id: true } });
  return row !== null;
}
