// Renderers (product.md §5): attaching users to the L1s of L1_SERVERS with tokens scoped to one L1,
// detaching, `/auth/verify` for L1s, and federated logout — revocation at L2 first, then the L1s
// are told from the job queue. Token mechanics live in lib/tokens.
import { z } from "zod";
import { cacheTag, deliverCachePurge, verifiedTokens } from "@/lib/cache";
import { findListedL1, type ListedL1 } from "@/lib/config";
import type { AppContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { TokenCaller } from "@/lib/callers";
import { storableInput } from "@/lib/http";
import { getLogger } from "@/lib/log";
import { safeFetch } from "@/lib/outbound";
import { issueScopedToken, revokeIssuedTokens, revokeSession, tokenHash, verifyScopedToken } from "@/lib/tokens";

/** The queue that tells L1s about revocations (retried with backoff while an L1 is down). */
export const L1_NOTIFY_JOB = "l1-notify";

export const rendererInput = storableInput(
  z.object({
    l1_server: z.string({ error: "l1_server must be a string" }).min(1, "l1_server is required").max(2048),
  }),
);

export const l1NotifyPayload = z.object({
  l1_server: z.string().url(),
  tokens: z.array(z.string()).max(1000),
  username: z.string().nullable(),
});
export type L1NotifyPayload = z.infer<typeof l1NotifyPayload>;

export interface RendererState {
  l1_server: string;
  attached: boolean;
  attached_at: string | null;
}

/**
 * The configured L1 (L1_SERVERS) that `raw` names, normalised; the one check of an L1 URL that a
 * request brings. `consequence` completes the message ("nothing was fetched").
 * @throws AppError l1_not_allowed
 */
export function requireListedL1(ctx: Pick<AppContext, "config">, raw: string, consequence?: string): ListedL1 {
  const l1 = findListedL1(ctx.config, raw);
  if (!l1) {
    throw new AppError("l1_not_allowed", `${raw} is not one of this server's renderers (L1_SERVERS)${consequence ? `; ${consequence}` : ""}.`, {
      fields: { l1_server: "Not a configured renderer." },
    });
  }
  return l1;
}

/** Every configured L1 with the caller's attachment state. */
export async function listRenderers(ctx: AppContext, username: string): Promise<RendererState[]> {
  const rows = await ctx.prisma.userRenderer.findMany({ where: { username }, select: { l1Server: true, attachedAt: true } });
  const attached = new Map(rows.map((r) => [r.l1Server, r.attachedAt]));
  return ctx.config.l1Servers.map((l1) => {
    const at = attached.get(l1);
    return { l1_server: l1, attached: at !== undefined, attached_at: at ? at.toISOString() : null };
  });
}

/**
 * Attaches the caller to a configured L1: issues a token scoped to it from the caller's login token,
 * records the attachment, and answers where to send the browser (`{l1}/auth?auth_token=…`).
 * @throws AppError l1_not_allowed (nothing issued, no redirect)
 */
export async function attachRenderer(ctx: AppContext, principal: TokenCaller, rawL1: string): Promise<{ location: string }> {
  const l1 = requireListedL1(ctx, rawL1);
  const { token } = await ctx.prisma.$transaction(async (tx) => {
    const issued = await issueScopedToken(ctx, tx, { token: principal.token, claims: principal.claims }, l1);
    await tx.userRenderer.upsert({
      where: { username_l1Server: { username: principal.username, l1Server: l1 } },
      create: { username: principal.username, l1Server: l1 },
      update: {},
    });
    return issued;
  });
  const location = new URL(`${l1}/auth`);
  location.searchParams.set("auth_token", token);
  return { location: location.toString() };
}

/**
 * Detaches the caller from an L1: revokes every token of that attachment at once, removes the
 * attachment, and has the L1 told (`POST {l1}/auth/revoke`) from the job queue.
 * @throws AppError l1_not_allowed
 */
export async function detachRenderer(ctx: AppContext, principal: TokenCaller, rawL1: string): Promise<RendererState> {
  const l1 = requireListedL1(ctx, rawL1);
  const purged = await ctx.prisma.$transaction(async (tx) => {
    const rows = await tx.issuedToken.findMany({ where: { username: principal.username, l1Server: l1, expiresAt: { gt: ctx.now() } } });
    const revoked = await revokeIssuedTokens(ctx, tx, rows);
    await tx.userRenderer.deleteMany({ where: { username: principal.username, l1Server: l1 } });
    const tokens = revoked.flatMap((r) => (r.token ? [r.token] : []));
    if (tokens.length) await ctx.jobs.send(L1_NOTIFY_JOB, { l1_server: l1, tokens, username: null } satisfies L1NotifyPayload, { tx });
    return rows.map((r) => cacheTag.token(r.tokenHash));
  });
  // Once more now that it committed: a verification that read the database before the commit may
  // have been stored after the purge sent inside the transaction.
  deliverCachePurge(purged);
  return { l1_server: l1, attached: false, attached_at: null };
}

/**
 * Federated logout (product.md §5): in one transaction the login token and every renderer token
 * issued from it are revoked, every attached L1 gets a queued notification (`/auth/revoke` per
 * token, `/auth/revoke-user`), and the user's attachments are removed. Nothing waits for an L1.
 */
export async function logoutEverywhere(ctx: AppContext, principal: Pick<TokenCaller, "token" | "claims" | "username">): Promise<void> {
  await ctx.prisma.$transaction(async (tx) => {
    const revoked = await revokeSession(ctx, tx, principal.token, principal.claims);
    const attachments = await tx.userRenderer.findMany({ where: { username: principal.username }, select: { l1Server: true } });
    const l1s = new Set([...attachments.map((a) => a.l1Server), ...revoked.map((r) => r.l1Server)]);
    for (const l1 of l1s) {
      const tokens = revoked.filter((r) => r.l1Server === l1 && r.token).map((r) => r.token as string);
      await ctx.jobs.send(L1_NOTIFY_JOB, { l1_server: l1, tokens, username: principal.username } satisfies L1NotifyPayload, { tx });
    }
    await tx.userRenderer.deleteMany({ where: { username: principal.username } });
  });
  // Once more now that it committed (see detachRenderer): the session and every token issued from it.
  deliverCachePurge([cacheTag.token(tokenHash(principal.token))]);
}

/** An L1's introspection answer: RFC 7662 fields when active, otherwise only `{valid, active}`. */
type ActiveIntrospection = {
  valid: true;
  active: true;
  username: string;
  sub: string;
  l1_server: string;
  l2_server: string;
  exp: number;
  iat: number;
  jti: string;
};
export type IntrospectionResult = { status: 200; body: ActiveIntrospection } | { status: 401; body: { valid: false; active: false } };

/**
 * `POST /auth/verify` (protocols.md §4): the L1 must be configured (403 otherwise); the token must
 * be one we issued for that same L1, unexpired, and neither it nor its login session revoked.
 * Every other token — unscoped, another L1's, forged, revoked — gets the same 401.
 * @throws AppError invalid_request (no l1_server), unauthorized_l1
 */
export async function introspectRendererToken(ctx: AppContext, input: { token?: string | null; l1Server?: string | null }): Promise<IntrospectionResult> {
  if (!input.l1Server) throw new AppError("invalid_request", "l1_server (or the X-L1-Server header) is required.");
  const l1 = findListedL1(ctx.config, input.l1Server);
  if (!l1) throw new AppError("unauthorized_l1", "This L1 is not one of this server's renderers.");
  const inactive = { status: 401, body: { valid: false, active: false } } as const;
  if (!input.token) return inactive;
  // A positive answer given before is given again while it stands: until the token expires or a
  // purge names it, its session or its account (lib/cache verifiedTokens; held only while this
  // process hears every purge, and only after the purge feed's barrier).
  const verified = verifiedTokens();
  const held = await verified.lookup(input.token, l1, ctx.now().getTime());
  if (held) return { status: 200, body: held.body as ActiveIntrospection };
  const startedAt = verified.begin();
  const r = await verifyScopedToken(ctx, input.token, l1);
  if (!r.ok) return inactive;
  const c = r.claims;
  const body: ActiveIntrospection = {
    valid: true,
    active: true,
    username: c.username,
    sub: c.sub,
    l1_server: c.l1_server,
    l2_server: c.l2_server,
    exp: c.exp,
    iat: c.iat,
    jti: c.jti,
  };
  verified.remember(
    input.token,
    {
      scope: l1,
      body,
      text: JSON.stringify(body),
      exp: c.exp,
      tags: [cacheTag.token(tokenHash(input.token)), cacheTag.token(c.sid), cacheTag.account(c.username)],
    },
    startedAt,
    ctx.now().getTime(),
  );
  return { status: 200, body };
}

/**
 * Delivers one queued revocation notice to an L1: `POST /auth/revoke {token}` per token, then
 * `POST /auth/revoke-user {username}`. Network failures and 5xx throw, so the queue retries with
 * backoff; an L1 that answers 4xx has refused and is not asked again.
 */
export async function notifyL1(ctx: AppContext, payload: L1NotifyPayload): Promise<void> {
  const calls: [string, object][] = payload.tokens.map((token) => ["/auth/revoke", { token }]);
  if (payload.username) calls.push(["/auth/revoke-user", { username: payload.username }]);
  for (const [path, body] of calls) {
    const res = await safeFetch(`${payload.l1_server}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      // The configured L1s are trusted as configured (product.md §9).
      allowPrivateAddresses: true,
    });
    if (!res.ok) throw new Error(`${payload.l1_server}${path}: ${res.message}`);
    if (res.status >= 500) throw new Error(`${payload.l1_server}${path}: HTTP ${res.status}`);
    if (res.status >= 400)
      getLogger().warn({ component: "renderers", status: res.status }, `${payload.l1_server}${path} refused the notice (HTTP ${res.status})`);
  }
}
