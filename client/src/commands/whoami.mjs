// `whoami`: who this client acts as, on which server, with which key.
import { parseCommandLine } from "../args.mjs";
import { configDir, loadLogin } from "../config.mjs";
import { expectStatus, signedRequest } from "../http.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

export const whoamiCommand = {
  name: "whoami",
  usage: "whoami",
  summary: "who this client acts as, on which server, with which key",
  help: "Asks the server (a signed GET /auth/me) who this client's key acts for, and prints it with the key.",
  options: {},
  run: cmdWhoami,
};

async function cmdWhoami(args) {
  const { positionals } = parseCommandLine(args, {});
  if (positionals.length) throw new CliError(`Usage: ${PROGRAM} ${whoamiCommand.usage}`, 2);
  const login = await loadLogin(configDir());
  const { res, body } = await signedRequest(login, "GET", `${login.server}/auth/me`);
  expectStatus(res, body, [200], "whoami");
  print(`username: ${body?.username ?? login.username}`);
  print(`actor:    ${login.actor}`);
  print(`server:   ${login.server}`);
  print(`did:key:  ${login.did_key}`);
}
