import type { RateLimit } from "@/lib/config";
import type { AppContext } from "@/lib/context";
import { AppError } from "@/lib/errors";

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
  count: number;
}

/**
 * Counts one hit on `key` in a fixed window kept in PostgreSQL, so every app process shares the
 * counter; one atomic upsert, so concurrent hits cannot both slip under the limit.
 */
async function hitRateLimit(ctx: AppContext, key: string, limit: RateLimit): Promise<RateLimitResult> {
  const now = ctx.now();
  const windowMs = limit.windowSeconds * 1000;
  const expiredBefore = new Date(now.getTime() - windowMs);
  const rows = await ctx.prisma.$queryRaw<{ count: number; window_start: Date }[]>`
    INSERT INTO rate_limit_buckets (key, window_start, count) VALUES (${key}, ${now}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start <= ${expiredBefore} THEN 1 ELSE rate_limit_buckets.count + 1 END,
      window_start = CASE WHEN rate_limit_buckets.window_start <= ${expiredBefore} THEN ${now} ELSE rate_limit_buckets.window_start END
    RETURNING count, window_start`;
  const row = rows[0];
  const count = Number(row.count);
  const resetAt = new Date(row.window_start).getTime() + windowMs;
  return {
    allowed: count <= limit.max,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now.getTime()) / 1000)),
    count,
  };
}

/** Like hitRateLimit, but throws 429 with Retry-After when over the limit. @throws AppError */
export async function enforceRateLimit(ctx: AppContext, key: string, limit: RateLimit): Promise<void> {
  const r = await hitRateLimit(ctx, key, limit);
  if (!r.allowed) {
    throw new AppError("rate_limited", `Too many attempts; try again in ${r.retryAfterSeconds} s.`, {
      headers: { "retry-after": String(r.retryAfterSeconds) },
    });
  }
}

/** Removes buckets whose window ended more than a day ago. */
export async function cleanupRateLimitBuckets(ctx: AppContext): Promise<number> {
  const r = await ctx.prisma.rateLimitBucket.deleteMany({
    where: { windowStart: { lt: new Date(ctx.now().getTime() - 24 * 3600 * 1000) } },
  });
  return r.count;
}
