// The command line's arguments: server addresses, `--flag value` options and tag lists.
import { parseArgs } from "node:util";
import { CliError } from "./program.mjs";

/**
 * A server as typed (`https://l2.example`, `l2.example`, `http://localhost:8311/`) to its origin.
 * Without a scheme, https is meant. @throws CliError when it is not an http(s) address.
 */
/** Whether a server address was typed with its scheme (`http://…`), not left for https to be assumed. */
export function hasScheme(text) {
  return SCHEME.test(String(text ?? "").trim());
}
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function normalizeServer(text) {
  const raw = String(text ?? "").trim();
  if (!raw) throw new CliError("Which server? Give its address, e.g. login https://l2.example");
  let url;
  try {
    url = new URL(SCHEME.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new CliError(`Not a server address: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`Not an http(s) server address: ${raw}`);
  return url.origin;
}

/** `a, b,,c` → `["a", "b", "c"]`. */
export function parseTags(text) {
  return [
    ...new Set(
      String(text)
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * A command's arguments, read by node:util's parseArgs against the options it knows (`{name: {type:
 * "string" | "boolean", multiple?}}`): positionals and `--flag value` / `--flag=value` options.
 * Everything after `--` is positional. @throws CliError on an unknown option, a string option
 * without its value (or an empty one), a value given to a boolean option.
 */
export function parseCommandLine(args, options) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw argumentError(err, options);
  }
  const flags = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (options[name]?.type === "string" && [value].flat().some((v) => v === "")) throw new CliError(`--${name} needs a value.`, 2);
    flags[name] = value;
  }
  return { positionals: parsed.positionals, flags };
}

/** parseArgs's refusal in this program's words (it names the option between quotes). */
function argumentError(err, options) {
  const option = /'(-{1,2}[^' =<]+)/.exec(String(err?.message))?.[1] ?? "";
  const name = option.replace(/^-+/, "");
  const known = Object.keys(options).filter((k) => k !== "help");
  switch (err?.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new CliError(`Unknown option ${option}.${known.length ? ` Options: ${known.map((k) => `--${k}`).join(", ")}.` : ""}`, 2);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new CliError(options[name]?.type === "boolean" ? `--${name} takes no value.` : `--${name} needs a value.`, 2);
    default:
      return new CliError(String(err?.message ?? err), 2);
  }
}

/** parseCommandLine with string options only, by name (the helper scripts have always imported). */
export function parseFlags(args, known) {
  return parseCommandLine(args, Object.fromEntries(known.map((name) => [name, { type: "string" }])));
}
