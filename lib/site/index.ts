// The site's own content: live statistics for the home page (and `GET /` as JSON) and the README
// it renders, and the CLI client file it offers for download. One count per capability that exists.
import { createHash } from "node:crypto";
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

/** The project README (Markdown), shown on the home page. */
export async function readReadme(): Promise<string> {
  return readFile(path.join(process.cwd(), "README.md"), "utf8").catch(() => "");
}

/**
 * The downloadable CLI client, relative to the project folder: one file that scripts/build-client.ts
 * bundles from client/src/ (`npm start` runs it; the file is not committed).
 */
export const CLIENT_BUNDLE = path.join("client", "dist", "artdag-client.mjs");

/** The downloadable CLI client (CLIENT_BUNDLE), read at run time, never bundled into the app. */
export interface ClientFile {
  bytes: Uint8Array;
  /** SHA-256 hex, shown on the download page so a downloaded copy can be checked. */
  sha256: string;
}

/** The CLI client file, or null when this installation has none (it was never built). */
export async function readClientFile(): Promise<ClientFile | null> {
  const bytes = await readFile(path.join(process.cwd(), CLIENT_BUNDLE)).catch(() => null);
  if (!bytes) return null;
  return { bytes: new Uint8Array(bytes), sha256: createHash("sha256").update(bytes).digest("hex") };
}

let version: Promise<string> | undefined;

/** This software's version (package.json), for NodeInfo. */
export function softwareVersion(): Promise<string> {
  version ??= readFile(path.join(process.cwd(), "package.json"), "utf8")
    .then((text) => String((JSON.parse(text) as { version?: unknown }).version ?? "0.0.0"))
    .catch(() => "0.0.0");
  return version;
}
