// The site's own content: live statistics for the home page (and `GET /` as JSON) and the README
// it renders. One count per capability that exists.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AppContext } from "@/lib/context";

export interface SiteStats {
  users: number;
  assets: number;
  activities: number;
  followers: number;
  /** OpenTimestamps batches, pending or confirmed (product.md §7). */
  anchors: number;
}

/** Live counts of what the registry holds. */
export async function getSiteStats(ctx: AppContext): Promise<SiteStats> {
  const [users, assets, activities, followers, anchors] = await Promise.all([
    ctx.prisma.user.count(),
    ctx.prisma.asset.count(),
    ctx.prisma.activity.count(),
    ctx.prisma.follower.count(),
    ctx.prisma.anchor.count(),
  ]);
  return { users, assets, activities, followers, anchors };
}

/** OpenTimestamps anchors by state, for the summary on /anchors/ui. */
export async function getAnchorStateCounts(ctx: AppContext): Promise<{ pending: number; confirmed: number }> {
  const [pending, confirmed] = await Promise.all([
    ctx.prisma.anchor.count({ where: { state: "pending" } }),
    ctx.prisma.anchor.count({ where: { state: "confirmed" } }),
  ]);
  return { pending, confirmed };
}

/** The project README (Markdown), shown on the home page. */
export async function readReadme(): Promise<string> {
  return readFile(path.join(process.cwd(), "README.md"), "utf8").catch(() => "");
}

let version: Promise<string> | undefined;

/** This software's version (package.json), for NodeInfo. */
export function softwareVersion(): Promise<string> {
  version ??= readFile(path.join(process.cwd(), "package.json"), "utf8")
    .then((text) => String((JSON.parse(text) as { version?: unknown }).version ?? "0.0.0"))
    .catch(() => "0.0.0");
  return version;
}
