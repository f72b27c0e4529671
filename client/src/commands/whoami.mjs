// `whoami`: who this client acts as, on which server, with which key.
import { parseFlags } from "../args.mjs";
import { configDir, loadLogin } from "../config.mjs";
import { expectStatus, signedRequest } from "../http.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

export async function cmdWhoami(args) {
  const { positionals } = parseFlags(args, []);
  if (positionals.length) throw new CliError(`Usage: ${PROGRAM} whoami`);
  const login = await loadLogin(configDir());
  const { res, body } = await signedRequest(login, "GET", `${login.server}/auth/me`);
  expectStatus(res, body, [200], "whoami");
  print(`username: ${body?.username ?? login.username}`);
  print(`actor:    ${login.actor}`);
  print(`server:   ${login.server}`);
  print(`did:key:  ${login.did_key}`);
}
