// The command line's arguments: server addresses, `--flag value` options and tag lists.
import { CliError } from "./program.mjs";

/**
 * A server as typed (`https://l2.example`, `l2.example`, `http://localhost:8311/`) to its origin.
 * Without a scheme, https is meant. @throws CliError when it is not an http(s) address.
 */
export function normalizeServer(text) {
  const raw = String(text ?? "").trim();
  if (!raw) throw new CliError("Which server? Give its address, e.g. login https://l2.example");
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new CliError(`Not a server address: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`Not an http(s) server address: ${raw}`);
  return url.origin;
}

/** `a, b,,c` → `["a", "b", "c"]`. */
export function parseTags(text) {
  return [...new Set(String(text).split(",").map((t) => t.trim()).filter(Boolean))];
}

/**
 * Splits arguments into positionals and `--flag value` / `--flag=value` options, checked against
 * the flags a command knows. @throws CliError on an unknown flag or a flag without its value.
 */
export function parseFlags(args, known) {
  const positionals = [];
  const flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(name)) {
      throw new CliError(`Unknown option --${name}.${known.length ? ` Options: ${known.map((k) => `--${k}`).join(", ")}.` : ""}`);
    }
    let value;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) value = args[++i];
    if (value === undefined || value === "") throw new CliError(`--${name} needs a value.`);
    flags[name] = value;
  }
  return { positionals, flags };
}
