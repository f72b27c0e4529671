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

/** The project README (Markdown), shown at /about. */
export async function readReadme(): Promise<string> {
  return readFile(path.join(process.cwd(), "README.md"), "utf8").catch(() => "");
}

/** A document name as /about/docs/{name} takes it: a file docs/{name}.md, nothing else. */
const DOC_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** docs/{name}.md (Markdown), or null when there is no such document. */
export async function readDoc(name: string): Promise<string | null> {
  if (!DOC_NAME.test(name)) return null;
  return readFile(path.join(process.cwd(), "docs", `${name}.md`), "utf8").catch(() => null);
}

/**
 * The README or a document as this instance serves it at /about. Where the text shows how to reach
 * the server, `localhost:8200` (npm start's address) becomes this instance: in code blocks (the
 * commands: the full URL for a command's target, the domain elsewhere), in links and autolinks
 * (`<http://localhost:8200/…>`, `](http://localhost:8200…)`), and in handles (`@you@localhost:8200`).
 * Prose and inline code that state a default (`ARTDAG_DOMAIN` is `localhost:8200`, "prints
 * `ready: http://localhost:8200`") are left as written. Links between the documents (`docs/x.md`
 * from the README, `x.md` from a document) become `/about/docs/x` (the README itself: `/about`).
 * `from` is where the text lives.
 */
export function markdownForAbout(text: string, instance: { baseUrl: string; domain: string }, from: "readme" | "docs"): string {
  const local = "localhost:8200";
  const handles = (t: string) => t.replace(/(@[^@\s`]*@)localhost:8200\b/g, (_m, user: string) => `${user}${instance.domain}`);
  const inCode = (code: string) =>
    handles(code)
      .replaceAll(`http://${local}`, instance.baseUrl)
      // A command's target (`curl -s localhost:8200/auth/me`): the full URL, so https instances work.
      .replace(/(^|[\s'"(])localhost:8200(?=\/)/gm, (_m, before: string) => `${before}${instance.baseUrl}`)
      .replaceAll(local, instance.domain);
  const inProse = (prose: string) =>
    prose
      .split(/(`[^`\n]*`)/)
      .map((part, i) =>
        i % 2 === 1
          ? handles(part)
          : handles(part).replaceAll(`<http://${local}`, `<${instance.baseUrl}`).replaceAll(`](http://${local}`, `](${instance.baseUrl}`),
      )
      .join("");
  const withUrls = text
    .split(/(^```[^\n]*\n[\s\S]*?^```$)/m)
    .map((part, i) => (i % 2 === 1 ? inCode(part) : inProse(part)))
    .join("");
  const docLink = from === "readme" ? /\]\(docs\/([a-z0-9-]+)\.md(#[^)\s]*)?\)/g : /\]\((?:\.\/)?([a-z0-9-]+)\.md(#[^)\s]*)?\)/g;
  const linked = withUrls.replace(docLink, (_m, name: string, anchor: string | undefined) => `](/about/docs/${name}${anchor ?? ""})`);
  return from === "docs" ? linked.replace(/\]\(\.\.\/README\.md(#[^)\s]*)?\)/g, (_m, anchor: string | undefined) => `](/about${anchor ?? ""})`) : linked;
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

/** A heading's text as GitHub makes its anchor (so `#response-cache` links land): lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}
