// `upload <file> --name …`: hash the file locally (SHA3-256) and register it through the outbox.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { parseFlags, parseTags } from "../args.mjs";
import { ASSET_TYPES, buildCreateActivity, guessAssetType } from "../assets.mjs";
import { configDir, loadLogin } from "../config.mjs";
import { expectStatus, signedRequest } from "../http.mjs";
import { CliError, note, print, PROGRAM } from "../program.mjs";

const PROGRESS_THRESHOLD = 8 * 1024 * 1024;

/** SHA3-256 of a file, read as a stream; percentage lines on stderr for files over 8 MiB. */
async function hashFile(file, size) {
  const hash = createHash("sha3-256");
  const showProgress = size > PROGRESS_THRESHOLD;
  let done = 0;
  let shown = -1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk);
    done += chunk.length;
    if (showProgress) {
      const percent = Math.floor((done / size) * 100);
      if (percent >= shown + 10 || (percent === 100 && shown !== 100)) {
        shown = percent;
        note(`Hashing ${path.basename(file)}: ${percent}%`);
      }
    }
  }
  return hash.digest("hex");
}

export async function cmdUpload(args) {
  const { positionals, flags } = parseFlags(args, ["name", "type", "tags"]);
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} upload <file> --name <name> [--type <type>] [--tags a,b]`);
  if (!flags.name) throw new CliError("upload needs --name <name>: the name the asset is registered under.");
  if (flags.type && !ASSET_TYPES.includes(flags.type)) throw new CliError(`--type must be one of ${ASSET_TYPES.join(", ")}.`);
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
  const tags = flags.tags ? parseTags(flags.tags) : [];
  const activity = buildCreateActivity({ actor: login.actor, name: flags.name, contentHash, assetType, tags });
  const { res, body } = await signedRequest(login, "POST", login.outbox, activity);
  expectStatus(res, body, [201], `Registering ${flags.name}`);
  // The answer is POST /assets's: {asset, activity}; Location names the new activity.
  const asset = body?.asset ?? {};
  const location = res.headers.get("location") ?? body?.activity?.id;
  print(`Registered ${asset.name ?? flags.name}`);
  print(`  type:     ${asset.asset_type ?? assetType}`);
  print(`  sha3-256: ${contentHash}`);
  print(`  activity: ${location ? new URL(location, login.outbox).href : "(the server named none)"}`);
}
