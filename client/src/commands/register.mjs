// `register <file> --name …` (alias `upload`): hash the file locally (SHA3-256) and register it
// through the outbox as the logged-in user's asset.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { parseCommandLine, parseTags } from "../args.mjs";
import { ASSET_TYPES, buildCreateActivity, guessAssetType } from "../assets.mjs";
import { configDir, loadLogin } from "../config.mjs";
import { expectStatus, signedRequest } from "../http.mjs";
import { startProgress } from "../progress.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

const OPTIONS = {
  name: { type: "string" },
  type: { type: "string" },
  tag: { type: "string", multiple: true },
  tags: { type: "string" },
  url: { type: "string" },
  metadata: { type: "string" },
};

export const registerCommand = {
  name: "register",
  aliases: ["upload"],
  usage: "register <file> --name <name> [--type <type>] [--tag <tag>]… [--url <url>] [--metadata <json>]",
  synopsis: "register <file> --name <name> [options]",
  summary: "hash a file (SHA3-256, locally) and register it as your asset",
  help: `The file is read here and never sent: only its SHA3-256 hash is registered, in a claim the
server signs. A progress line shows on a terminal while a large file is hashed.

Options:
  --name <name>        the name the asset is registered under (required; unique on the server)
  --type <type>        ${ASSET_TYPES.join(", ")}
                       (default: guessed from the file's extension: image, video, audio or unknown)
  --tag <tag>          a tag; repeat it for more (--tags a,b also works)
  --url <url>          where the work can be seen (http or https)
  --metadata <json>    a JSON object stored with the asset, e.g. '{"medium":"oil"}'

"upload" is the same command under its older name.`,
  options: OPTIONS,
  run: cmdRegister,
};

/** SHA3-256 of a file, read as a stream in 1 MiB chunks, with a progress line on a terminal. */
async function hashFile(file, size) {
  const hash = createHash("sha3-256");
  const progress = startProgress(`Hashing ${path.basename(file)}`, size);
  let done = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk);
    done += chunk.length;
    progress.update(done);
  }
  progress.finish();
  return hash.digest("hex");
}

function metadataOf(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`--metadata must be a JSON object, e.g. '{"medium":"oil"}'; this is not JSON: ${text}`, 2);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new CliError("--metadata must be a JSON object ({…}), not an array or a single value.", 2);
  return value;
}

function urlOf(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--url must be a full http(s) address, e.g. https://example.com/work.png; got ${text}`, 2);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`--url must be an http(s) address; got ${text}`, 2);
  return url.href;
}

async function cmdRegister(args, command = "register") {
  const { positionals, flags } = parseCommandLine(args, OPTIONS);
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} ${registerCommand.usage.replace(/^register/, command)}`, 2);
  if (!flags.name) throw new CliError(`${command} needs --name <name>: the name the asset is registered under.`, 2);
  if (flags.type && !ASSET_TYPES.includes(flags.type)) throw new CliError(`--type must be one of ${ASSET_TYPES.join(", ")}.`, 2);
  const tags = [...new Set([...(flags.tag ?? []).flatMap(parseTags), ...(flags.tags ? parseTags(flags.tags) : [])])];
  const metadata = flags.metadata === undefined ? undefined : metadataOf(flags.metadata);
  const url = flags.url === undefined ? undefined : urlOf(flags.url);
  const file = positionals[0];
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new CliError(err.code === "ENOENT" ? `File not found: ${file}` : `Cannot read ${file}: ${err.message}`);
  }
  if (!info.isFile()) throw new CliError(`Not a regular file: ${file}`);
  const login = await loadLogin(configDir());

  let contentHash;
  try {
    contentHash = await hashFile(file, info.size);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${err.message}`);
  }
  const assetType = flags.type ?? guessAssetType(file);
  const activity = buildCreateActivity({ actor: login.actor, name: flags.name, contentHash, assetType, tags, url, metadata });
  const { res, body } = await signedRequest(login, "POST", login.outbox, activity);
  expectStatus(res, body, [201], `Registering ${flags.name}`);
  // The answer is POST /assets's: {asset, activity}; Location names the new activity.
  const asset = body?.asset ?? {};
  const location = res.headers.get("location") ?? body?.activity?.id;
  print(`Registered ${asset.name ?? flags.name}`);
  print(`  type:     ${asset.asset_type ?? assetType}`);
  print(`  sha3-256: ${contentHash}`);
  if (Array.isArray(asset.tags) && asset.tags.length) print(`  tags:     ${asset.tags.join(", ")}`);
  if (asset.url) print(`  url:      ${asset.url}`);
  print(`  activity: ${location ? new URL(location, login.outbox).href : "(the server named none)"}`);
}
