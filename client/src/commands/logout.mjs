// `logout`: remove this client's key on the server (it stops working at once), then forget the login here.
import { parseCommandLine } from "../args.mjs";
import { configDir, forgetLogin, loadLogin } from "../config.mjs";
import { expectStatus, signedRequest } from "../http.mjs";
import { CliError, print, PROGRAM } from "../program.mjs";

export const logoutCommand = {
  name: "logout",
  usage: "logout",
  summary: "remove this client's key on the server and forget the login here",
  help: `Removes this client's key from your account on the server, so it can no longer act for you,
then deletes the key file and the saved login here. The next login makes a new key.
When the server cannot be reached nothing is removed: run logout again later.`,
  options: {},
  run: cmdLogout,
};

async function cmdLogout(args) {
  const { positionals } = parseCommandLine(args, {});
  if (positionals.length) throw new CliError(`Usage: ${PROGRAM} ${logoutCommand.usage}`, 2);
  const dir = configDir();
  const login = await loadLogin(dir);
  let alreadyGone = false;
  try {
    const { res, body } = await signedRequest(login, "DELETE", `${login.server}/auth/client-keys/${encodeURIComponent(login.did_key)}`);
    // 404: the key is not (or no longer) one of this user's keys; either way it no longer works.
    expectStatus(res, body, [204, 404], "Removing this client's key");
    alreadyGone = res.status === 404;
  } catch (err) {
    // A 401 for an unregistered key: it was removed already (in the browser, say).
    if (!(err instanceof CliError && /refused this client's key/.test(err.message))) throw err;
    alreadyGone = true;
  }
  await forgetLogin(dir, login);
  print(alreadyGone ? `The key was already removed on ${login.server}.` : `Removed this client's key from ${login.username} on ${login.server}.`);
  print(`Logged out: the key file and the saved login are deleted here.`);
}
