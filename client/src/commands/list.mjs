// `list`: the logged-in user's assets, newest first, in columns.
import { parseCommandLine } from "../args.mjs";
import { configDir, loadLogin } from "../config.mjs";
import { expectStatus, readJsonBody, send } from "../http.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

/** One line of `list`: name, type, hash prefix and creation time, in columns. */
export function formatAssetRow(asset, nameWidth) {
  const created = String(asset.created_at ?? "").replace(/\.\d+Z$/, "Z");
  return `${String(asset.name).padEnd(nameWidth)}  ${String(asset.asset_type).padEnd(14)}  ${String(asset.content_hash).slice(0, 12)}  ${created}`;
}

export const listCommand = {
  name: "list",
  usage: "list [--json]",
  summary: "your assets, newest first",
  help: `Lists every asset of the logged-in user, newest first: name, type, hash prefix and creation time.

Options:
  --json    the assets as one JSON array, as the server describes them (GET /assets), for scripts`,
  options: { json: { type: "boolean" } },
  run: cmdList,
};

async function cmdList(args) {
  const { positionals, flags } = parseCommandLine(args, listCommand.options);
  if (positionals.length) throw new CliError(`Usage: ${PROGRAM} ${listCommand.usage}`, 2);
  const login = await loadLogin(configDir());
  const items = [];
  let cursor = null;
  do {
    const url = new URL(`${login.server}/assets`);
    url.searchParams.set("owner", login.username);
    url.searchParams.set("limit", "100");
    if (cursor) url.searchParams.set("cursor", cursor);
    const res = await send(url.href, { headers: { accept: "application/json" } });
    const body = await readJsonBody(res);
    expectStatus(res, body, [200], "Listing assets");
    if (!Array.isArray(body?.items)) throw new CliError("Listing assets failed: the server's answer has no items.");
    items.push(...body.items);
    cursor = typeof body.next_cursor === "string" && body.next_cursor ? body.next_cursor : null;
  } while (cursor);
  if (flags.json) {
    print(JSON.stringify(items, null, 2));
    return;
  }
  if (items.length === 0) {
    print(`${login.username} has no assets yet.`);
    return;
  }
  const width = Math.min(48, Math.max(4, ...items.map((a) => String(a.name).length)));
  print(`${"NAME".padEnd(width)}  ${"TYPE".padEnd(14)}  ${"HASH".padEnd(12)}  CREATED`);
  for (const asset of items) print(formatAssetRow(asset, width));
}
