// Builds the CLI client users download: esbuild bundles the modules in client/src/ into one
// self-contained file (CLIENT_BUNDLE, not committed) that lib/site serves at /download/client.
// Not minified, so whoever opens the file can read it. `npm start` runs this; alone:
// `npm run build:client`.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { CLIENT_BUNDLE } from "../lib/site";

const root = path.resolve(import.meta.dirname, "..");
const SOURCES = path.join("client", "src");
const ENTRY = path.join(SOURCES, "main.mjs");

/**
 * The entry module's leading `//` comment block, which esbuild would drop (it keeps only the
 * shebang): it becomes the bundle's header, so the file says what it is and where it comes from.
 */
function headerComment(entryText: string): string {
  const lines = entryText.split("\n");
  if (lines[0]?.startsWith("#!")) lines.shift();
  const end = lines.findIndex((line) => !line.startsWith("//"));
  return lines.slice(0, end < 0 ? lines.length : end).join("\n");
}

/** Writes the bundle to `outFile` (default: CLIENT_BUNDLE in this project) and answers its path. */
export async function buildClient(outFile: string = path.join(root, CLIENT_BUNDLE)): Promise<string> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "node",
    // The client promises Node 20 (it checks at start): no syntax beyond it, nothing lowered either.
    target: "node20",
    minify: false,
    // Keep "—", "‖", "≥" in messages as they are written instead of \u escapes.
    charset: "utf8",
    banner: { js: headerComment(readFileSync(path.join(root, ENTRY), "utf8")) },
    metafile: true,
    write: false,
    outfile: outFile,
    logLevel: "silent",
  });
  // Users run the file with plain `node`, no install: only the client's own modules may be inside it.
  const foreign = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith(`${SOURCES}/`));
  if (foreign.length > 0) throw new Error(`the client may use only Node's built-in modules, but it bundles ${foreign.join(", ")}`);
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild wrote no file");

  // Written under another name and renamed, so a server reading the file never sees half of it.
  mkdirSync(path.dirname(outFile), { recursive: true });
  const partial = `${outFile}.${randomBytes(6).toString("hex")}.partial`;
  try {
    writeFileSync(partial, output.contents, { mode: 0o644 });
    renameSync(partial, outFile);
  } finally {
    rmSync(partial, { force: true });
  }
  return outFile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildClient().then(
    (file) => console.log(`artdag-l2: built the CLI client: ${path.relative(process.cwd(), file)}`),
    (err: unknown) => {
      console.error(`artdag-l2: building the CLI client failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
