// `record-run <run_id> --l1 <url> --name …`: record a completed L1 run as the user's asset.
import { parseCommandLine } from "../args.mjs";
import { ASSET_TYPES } from "../assets.mjs";
import { configDir, loadLogin } from "../config.mjs";
import { expectStatus, signedRequest } from "../http.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

export const recordRunCommand = {
  name: "record-run",
  usage: "record-run <run_id> --l1 <url> --name <output> [--type <type>]",
  summary: "record a completed L1 run as your asset",
  help: `Asks the server to fetch the run from the L1 renderer, check that it is completed and yours,
and register its output (and any input not registered yet) as your assets.

Options:
  --l1 <url>        the L1 renderer the run belongs to (required)
  --name <output>   the name the run's output is registered under (required)
  --type <type>     ${ASSET_TYPES.join(", ")} (default: unknown)`,
  options: { l1: { type: "string" }, name: { type: "string" }, type: { type: "string" } },
  run: cmdRecordRun,
};

async function cmdRecordRun(args) {
  const { positionals, flags } = parseCommandLine(args, recordRunCommand.options);
  if (positionals.length !== 1) throw new CliError(`Usage: ${PROGRAM} ${recordRunCommand.usage}`, 2);
  if (!flags.l1) throw new CliError("record-run needs --l1 <url>: the renderer the run belongs to.", 2);
  if (!flags.name) throw new CliError("record-run needs --name <output>: the name of the output asset.", 2);
  if (flags.type && !ASSET_TYPES.includes(flags.type)) throw new CliError(`--type must be one of ${ASSET_TYPES.join(", ")}.`, 2);
  const login = await loadLogin(configDir());
  const payload = { run_id: positionals[0], l1_server: flags.l1, output_name: flags.name };
  if (flags.type) payload.asset_type = flags.type;
  const { res, body } = await signedRequest(login, "POST", `${login.server}/assets/record-run`, payload);
  expectStatus(res, body, [200, 201], `Recording run ${positionals[0]}`);
  const asset = body?.asset ?? {};
  print(res.status === 201 ? `Recorded run ${positionals[0]} as ${asset.name}` : `Run ${positionals[0]} was already recorded as ${asset.name}`);
  print(`  type:     ${asset.asset_type}`);
  print(`  sha3-256: ${asset.content_hash}`);
  if (body?.activity?.id) print(`  activity: ${body.activity.id}`);
  for (const input of Array.isArray(body?.inputs) ? body.inputs : []) {
    print(`  input:    ${input.name} ${String(input.content_hash).slice(0, 12)}${input.registered ? " (registered now)" : ""}`);
  }
}
