// The CLI client and the browser together (issue #6 item 7, product.md §6): a person logs the CLI in
// through the BIN-2 flow (the link it prints, Confirm in the browser, Enter in the terminal),
// uploads a file that the browser and the JSON API then show as theirs, and stops the CLI by
// removing its key in /settings/clients. Also: the anonymous round trip through /login, pages that
// store nothing on GET, the client's failures, and /download/client for curl and for browsers.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { bearer, json, login, PASSWORD, register, uniqueUsername } from "./support/api";
import { CLIENT_FILE, freshDidKey, removeHome, runCli, seedClientKey, startCli, tempHome } from "./support/cli";
import { randomHash, scriptedL1, uniqueName } from "./support/registry";
import { MAIN, SCRIPTED_L1 } from "./support/servers";

const REFUSED = "The server refused this client's key — it was removed or never registered.";

interface ClientKeyView {
  did_key: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
}

async function registerInBrowser(page: Page, username: string) {
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
}

async function clientKeys(request: APIRequestContext, token: string): Promise<ClientKeyView[]> {
  const res = await request.get("/auth/client-keys", { headers: bearer(token) });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { items: ClientKeyView[] }).items;
}

function webfinger(request: APIRequestContext, did: string) {
  return request.get(`/.well-known/webfinger?resource=${encodeURIComponent(did)}`);
}

function sha3File(file: string): string {
  return createHash("sha3-256").update(readFileSync(file)).digest("hex");
}

/** A key already in the client's folder and registered through the API: `login` then needs no browser. */
async function loggedInClient(request: APIRequestContext, prefix: string): Promise<{ home: string; username: string; token: string }> {
  const grant = await register(request, uniqueUsername(prefix));
  const home = tempHome();
  const did = seedClientKey(home, MAIN.url);
  const res = await request.post("/auth/client-keys", { headers: { ...bearer(grant.access_token), ...json }, data: { did_key: did, label: "e2e" } });
  expect(res.status(), await res.text()).toBe(201);
  const run = await runCli(home, ["login", MAIN.url]);
  expect(run.stderr).toBe("");
  expect(run.stdout).toContain(`already registered: ${did}`);
  expect(run.stdout).toContain(`Logged in as ${grant.username} (${MAIN.url}/users/${grant.username})`);
  expect(run.code).toBe(0);
  return { home, username: grant.username, token: grant.access_token };
}

test("a person logs the CLI in through /registerPublicKey, uploads a file the browser shows as theirs, and removing the key stops the CLI", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const username = uniqueUsername("cli");
  const home = tempHome();
  try {
    await registerInBrowser(page, username);
    const { access_token: token } = await login(request, username);

    const cli = startCli(home, ["login", MAIN.url]);
    const [link, did] = await cli.waitForOutput(new RegExp(`${MAIN.url}/registerPublicKey\\?key=(did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+)`));
    await cli.waitForOutput(/press Enter/);
    const keyFile = path.join(home, "keys", "http_localhost_8311.pem");

    await test.step("the key file is PKCS#8, mode 600, in a folder of mode 700", () => {
      expect(readFileSync(keyFile, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(home).mode & 0o777).toBe(0o700);
    });

    await test.step("opening the link shows the key, the user and the label the CLI proposes (its computer's name), and stores nothing", async () => {
      expect(cli.stdout()).toContain(`${link}&label=${encodeURIComponent(os.hostname())}\n`);
      await page.goto(`${link}&label=${encodeURIComponent(os.hostname())}`);
      await expect(page.getByTestId("register-key-did")).toHaveText(did);
      await expect(page.getByTestId("register-key-user")).toHaveText(username);
      await expect(page.getByLabel("Label (optional)")).toHaveValue(os.hostname());
      await expect(page.getByRole("button", { name: "Confirm" })).toBeVisible();
      expect(await clientKeys(request, token)).toEqual([]);
      expect((await webfinger(request, did)).status()).toBe(404);
    });

    await test.step("Enter before confirming: the CLI says the key is not registered yet and keeps waiting", async () => {
      cli.pressEnter();
      await cli.waitForOutput(/does not know this key yet: it is not registered[^]*press Enter/);
      expect(cli.stdout().split(link).length - 1, "the link is shown again").toBe(2);
    });

    await test.step("Confirm registers the key; Enter in the terminal logs the CLI in", async () => {
      await page.getByRole("button", { name: "Confirm" }).click();
      await expect(page.getByTestId("register-key-done")).toContainText("Key registered. Return to your terminal and press Enter.");
      await expect(page.getByTestId("register-key-done").getByRole("link", { name: "Client keys" })).toHaveAttribute("href", "/settings/clients");
      expect((await clientKeys(request, token)).map((k) => [k.did_key, k.label])).toEqual([[did, os.hostname()]]);
      cli.pressEnter();
      const result = await cli.exited;
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain(`Logged in as ${username} (${MAIN.url}/users/${username})`);
      expect(result.code).toBe(0);
      const config = JSON.parse(readFileSync(path.join(home, "config.json"), "utf8")) as Record<string, string>;
      expect(config).toMatchObject({
        server: MAIN.url,
        did_key: did,
        actor: `${MAIN.url}/users/${username}`,
        username,
        outbox: `${MAIN.url}/users/${username}/outbox`,
      });
    });

    await test.step("whoami", async () => {
      const run = await runCli(home, ["whoami"]);
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toContain(`username: ${username}`);
      expect(run.stdout).toContain(`actor:    ${MAIN.url}/users/${username}`);
      expect(run.stdout).toContain(`did:key:  ${did}`);
    });

    const name = uniqueName("cli-upload");
    const file = path.join(home, "artwork.png");
    writeFileSync(file, randomBytes(4096));
    const hash = sha3File(file);

    await test.step("upload registers the file's SHA3-256 under the person's name", async () => {
      const run = await runCli(home, ["upload", file, "--name", name, "--tags", "cli,e2e"]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Registered ${name}`);
      expect(run.stdout).toContain(`sha3-256: ${hash}`);
      expect(run.stdout).toMatch(new RegExp(`activity: ${MAIN.url}/\\S+`));

      const res = await request.get(`/assets/${name}`, { headers: { accept: "application/json" } });
      expect(res.status(), await res.text()).toBe(200);
      expect(await res.json()).toMatchObject({ name, content_hash: hash, owner: username, asset_type: "image", tags: ["cli", "e2e"] });
    });

    await test.step("the browser lists it at /assets as the person's", async () => {
      await page.goto(`/assets?q=${name}`);
      const row = page.getByTestId("asset-row").filter({ hasText: name });
      await expect(row).toHaveCount(1);
      await expect(row.getByRole("link", { name: username, exact: true })).toBeVisible();
      await expect(row).toContainText(hash.slice(0, 12));
    });

    await test.step("list shows it", async () => {
      const run = await runCli(home, ["list"]);
      expect(run).toMatchObject({ code: 0, stderr: "" });
      const line = run.stdout.split("\n").find((l) => l.startsWith(name));
      expect(line).toMatch(new RegExp(`^${name}\\s+image\\s+${hash.slice(0, 12)}\\s+\\d{4}-\\d{2}-\\d{2}T`));
    });

    await test.step("/settings/clients shows the key, used; Remove asks first, then removes it", async () => {
      await page.goto("/settings/clients");
      const row = page.getByTestId("client-key-row");
      await expect(row).toHaveCount(1);
      await expect(row.getByTestId("client-key-did")).toHaveAttribute("title", did);
      await expect(row.getByTestId("client-key-never"), "the CLI has used the key").toHaveCount(0);
      await row.getByRole("button", { name: "Remove" }).click();
      await expect(row.getByText("Remove this key?")).toBeVisible();
      expect(await clientKeys(request, token), "asking removes nothing").toHaveLength(1);
      await row.getByRole("button", { name: "Yes, remove" }).click();
      await expect(page.getByTestId("empty-state")).toContainText("No client keys yet");
      expect(await clientKeys(request, token)).toEqual([]);
    });

    await test.step("the next CLI command is refused with a clear message and exit 1", async () => {
      const run = await runCli(home, ["whoami"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`${REFUSED} Run: node artdag-client.mjs login ${MAIN.url}`);
      expect(run.stderr, "no stack trace").not.toMatch(/\n\s+at /);
      const upload = await runCli(home, ["upload", file, "--name", uniqueName("after-removal")]);
      expect(upload.code).toBe(1);
      expect(upload.stderr).toContain(REFUSED);
    });
  } finally {
    removeHome(home);
  }
});

test("anonymous at /registerPublicKey: sent to /login, back to the same link after logging in, Confirm registers the key", async ({ page, request }) => {
  const username = uniqueUsername("anon");
  const { access_token: token } = await register(request, username);
  const did = freshDidKey();
  const link = `/registerPublicKey?key=${did}`;

  await page.goto(link);
  await expect(page).toHaveURL(/\/login\?next=/);
  expect(new URL(page.url()).searchParams.get("next")).toBe(link);
  expect(await clientKeys(request, token), "visiting stores nothing").toEqual([]);

  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(`${MAIN.url}${link}`);
  await expect(page.getByTestId("register-key-did")).toHaveText(did);
  expect(await clientKeys(request, token)).toEqual([]);

  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("register-key-done")).toBeVisible();
  const keys = await clientKeys(request, token);
  expect(keys).toEqual([{ did_key: did, label: null, created_at: expect.any(String), last_used_at: null }]);
  const wf = await webfinger(request, did);
  expect(wf.status()).toBe(200);
  expect(await wf.json()).toMatchObject({
    subject: `acct:${username}@localhost:8311`,
    links: expect.arrayContaining([expect.objectContaining({ rel: "self", type: "application/activity+json", href: `${MAIN.url}/users/${username}` })]),
  });

  // Opening the link again says so, with no second Confirm.
  await page.goto(link);
  await expect(page.getByTestId("register-key-already")).toBeVisible();
  await expect(page.getByRole("button", { name: "Confirm" })).toHaveCount(0);
});

test("/registerPublicKey: Cancel, a missing key and malformed keys store nothing and offer no button", async ({ page, request }) => {
  const username = uniqueUsername("regkey");
  await registerInBrowser(page, username);
  const { access_token: token } = await login(request, username);

  const did = freshDidKey();
  await page.goto(`/registerPublicKey?key=${did}`);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("register-key-cancelled")).toContainText("Nothing was registered");
  expect(await clientKeys(request, token)).toEqual([]);
  expect((await webfinger(request, did)).status()).toBe(404);

  const cases: [string, RegExp][] = [
    ["/registerPublicKey", /names no key/],
    ["/registerPublicKey?key=", /names no key/],
    ["/registerPublicKey?key=hello", /not a did:key/],
    [`/registerPublicKey?key=${did.slice(0, -4)}`, /did_key/],
    ["/registerPublicKey?key=did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", /did_key/],
    [`/registerPublicKey?key=${did}&key=${freshDidKey()}`, /more than one key/],
    [`/registerPublicKey?key=did:key:z${"1".repeat(200)}`, /much shorter/],
  ];
  for (const [url, message] of cases) {
    await page.goto(url);
    await expect(page.getByTestId("register-key-invalid"), url).toContainText(message);
    await expect(page.getByRole("button", { name: "Confirm" })).toHaveCount(0);
  }
  expect(await clientKeys(request, token)).toEqual([]);
});

test("/settings/clients: anonymous → /login and back; Add shows the server's 400 and 409 next to the field; an added key is never used", async ({
  page,
  request,
}) => {
  const username = uniqueUsername("settings");
  const { access_token: token } = await register(request, username);
  await page.goto("/settings/clients");
  await expect(page).toHaveURL(/\/login\?next=/);
  expect(new URL(page.url()).searchParams.get("next")).toBe("/settings/clients");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(`${MAIN.url}/settings/clients`);
  await expect(page.getByTestId("empty-state")).toContainText("No client keys yet");

  const field = page.getByLabel("did:key");
  await field.fill("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc");
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#did_key-error")).toContainText("did_key");
  expect(await clientKeys(request, token)).toEqual([]);

  const did = freshDidKey();
  await field.fill(did);
  await page.getByLabel("Label (optional)").fill("studio laptop");
  await page.getByRole("button", { name: "Add key" }).click();
  const row = page.getByTestId("client-key-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("studio laptop");
  await expect(row.getByTestId("client-key-never")).toHaveText("never");
  await expect(row.getByTestId("client-key-did")).toHaveAttribute("title", did);
  await expect(field).toHaveValue("");
  expect((await clientKeys(request, token)).map((k) => [k.did_key, k.label])).toEqual([[did, "studio laptop"]]);

  await field.fill(did);
  await page.getByRole("button", { name: "Add key" }).click();
  await expect(page.locator("#did_key-error")).toContainText("already registered");
  expect(await clientKeys(request, token)).toHaveLength(1);

  // A label is shown as text, never as HTML; the newest key comes first.
  const hostile = '<img src=x onerror="document.body.dataset.pwned=1">';
  const added = await request.post("/auth/client-keys", { headers: { ...bearer(token), ...json }, data: { did_key: freshDidKey(), label: hostile } });
  expect(added.status(), await added.text()).toBe(201);
  await page.reload();
  await expect(row).toHaveCount(2);
  await expect(row.first()).toContainText(hostile);
  await expect(row.first().locator("img")).toHaveCount(0);
  expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();
});

test("the login form only returns to same-site paths", async ({ page, request }) => {
  const username = uniqueUsername("nextpath");
  await register(request, username);
  await page.goto("/login?next=//evil.example/x");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(`${MAIN.url}/`);
});

test("upload with a name already taken shows the server's message; record-run registers a run's output; both exit codes are right", async ({ request }) => {
  const { home, username } = await loggedInClient(request, "taken");
  try {
    const file = path.join(home, "notes.txt");
    writeFileSync(file, randomBytes(64));
    const name = uniqueName("cli-taken");
    expect((await runCli(home, ["upload", file, "--name", name])).code).toBe(0);

    const other = path.join(home, "other.txt");
    writeFileSync(other, randomBytes(64));
    const again = await runCli(home, ["upload", other, "--name", name]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(new RegExp(`^Error: Registering ${name} failed: .*${name}.*\\n$`));

    const runId = `cli-${randomBytes(4).toString("hex")}`;
    const output = randomHash();
    const l1 = await scriptedL1({ [runId]: { run_id: runId, status: "completed", recipe: "recipe:cli", inputs: [randomHash()], output_hash: output } });
    try {
      const outputName = uniqueName("cli-run");
      const run = await runCli(home, ["record-run", runId, "--l1", SCRIPTED_L1.url, "--name", outputName]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Recorded run ${runId} as ${outputName}`);
      expect(run.stdout).toContain(`sha3-256: ${output}`);
      const res = await request.get(`/assets/${outputName}`, { headers: { accept: "application/json" } });
      expect(await res.json()).toMatchObject({ name: outputName, content_hash: output, owner: username });
    } finally {
      await l1.close();
    }
  } finally {
    removeHome(home);
  }
});

test("register takes --tag, --url and --metadata; list --json shows them; another user's run is refused naming its owner; logout removes the key on the server", async ({
  request,
}) => {
  const { home, username, token } = await loggedInClient(request, "climore");
  try {
    const file = path.join(home, "sunset.png");
    writeFileSync(file, randomBytes(256));
    const name = uniqueName("cli-register");
    const run = await runCli(home, [
      "register",
      file,
      "--name",
      name,
      "--tag",
      "sky",
      "--tag",
      "evening",
      "--url",
      "https://example.com/sunset.png",
      "--metadata",
      '{"medium":"oil"}',
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const res = await request.get(`/assets/${name}`, { headers: { accept: "application/json" } });
    expect(await res.json()).toMatchObject({
      name,
      content_hash: sha3File(file),
      owner: username,
      asset_type: "image",
      tags: ["sky", "evening"],
      url: "https://example.com/sunset.png",
      metadata: { medium: "oil" },
    });

    const list = await runCli(home, ["list", "--json"]);
    expect(list).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name, url: "https://example.com/sunset.png", tags: ["sky", "evening"] })]);

    const runId = `cli-${randomBytes(4).toString("hex")}`;
    const l1 = await scriptedL1({
      [runId]: { run_id: runId, status: "completed", recipe: "recipe:cli", inputs: [randomHash()], output_hash: randomHash(), username: "somebody_else" },
    });
    try {
      const refused = await runCli(home, ["record-run", runId, "--l1", SCRIPTED_L1.url, "--name", uniqueName("cli-not-mine")]);
      expect(refused).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error: Recording run ${runId} failed: The run ${runId} belongs to somebody_else on ${SCRIPTED_L1.url}, not to you.\n`,
      });
    } finally {
      await l1.close();
    }

    const did = (JSON.parse(readFileSync(path.join(home, "config.json"), "utf8")) as { did_key: string }).did_key;
    expect((await webfinger(request, did)).status()).toBe(200);
    const logout = await runCli(home, ["logout"]);
    expect(logout).toEqual({
      code: 0,
      stdout: `Removed this client's key from ${username} on ${MAIN.url}.\nLogged out: the key file and the saved login are deleted here.\n`,
      stderr: "",
    });
    expect(await clientKeys(request, token), "the key is gone from the account").toEqual([]);
    expect((await webfinger(request, did)).status()).toBe(404);
    expect(await runCli(home, ["whoami"])).toEqual({ code: 1, stdout: "", stderr: "Error: Not logged in. Run: node artdag-client.mjs login <server>\n" });
  } finally {
    removeHome(home);
  }
});

test("login refuses a server that is not an Art DAG L2 (its NodeInfo), before making a key", async () => {
  const home = tempHome();
  const { createServer } = await import("node:http");
  const other = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/nodeinfo") {
      res.end(JSON.stringify({ links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", href: `http://127.0.0.1:${port}/nodeinfo/2.0` }] }));
    } else if (req.url === "/nodeinfo/2.0") res.end(JSON.stringify({ version: "2.0", software: { name: "mastodon", version: "4.3.0" } }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  const port = (other.address() as { port: number }).port;
  try {
    expect(await runCli(home, ["login", `http://127.0.0.1:${port}`])).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error: http://127.0.0.1:${port} is not an Art DAG L2 server: its NodeInfo names mastodon 4.3.0. Check the address.\n`,
    });
    expect(() => statSync(path.join(home, "keys")), "no key was made").toThrow();
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
    removeHome(home);
  }
});

test("the CLI's failures are one clear line and exit 1 (or usage and exit 2)", async () => {
  const home = tempHome();
  try {
    expect(await runCli(home, ["login", "http://localhost:8397"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: Cannot reach http://localhost:8397: connection refused\n",
    });
    expect(await runCli(home, ["whoami"])).toEqual({ code: 1, stdout: "", stderr: "Error: Not logged in. Run: node artdag-client.mjs login <server>\n" });
    expect((await runCli(home, ["upload", path.join(home, "missing.png"), "--name", "x"])).stderr).toBe(
      `Error: File not found: ${path.join(home, "missing.png")}\n`,
    );
    expect(await runCli(home, ["upload", "f", "--colour", "red"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'Error: Unknown option --colour. Options: --name, --type, --tag, --tags, --url, --metadata.\nRun "node artdag-client.mjs help register" for its usage.\n',
    });
    expect(await runCli(home, ["login", "localhost:8311"])).toMatchObject({
      code: 1,
      stdout: "",
      stderr: expect.stringContaining(
        "No scheme was given, so https was tried. If the server speaks plain HTTP (a local one usually does), try: node artdag-client.mjs login http://localhost:8311\n",
      ),
    });
    expect(() => statSync(path.join(home, "keys")), "no key was made").toThrow();
    const usage = await runCli(home, []);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Usage: node artdag-client.mjs <command>");
    expect((await runCli(home, ["fly"])).code).toBe(2);
  } finally {
    removeHome(home);
  }
});

test("the login prompt gives up cleanly on end of input, leaving nothing registered", async ({ request }) => {
  const home = tempHome();
  try {
    const cli = startCli(home, ["login", MAIN.url]);
    const [, did] = await cli.waitForOutput(/registerPublicKey\?key=(did:key:z6Mk\w+)/);
    await cli.waitForOutput(/press Enter/);
    cli.endInput();
    const result = await cli.exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("Error: Login cancelled: the key was not confirmed. Run login again when you are ready.\n");
    expect((await webfinger(request, did)).status()).toBe(404);
  } finally {
    removeHome(home);
  }
});

test("GET /download/client without text/html is the client file itself; the browser page links to it", async ({ page, request }) => {
  const file = readFileSync(CLIENT_FILE);
  for (const url of ["/download/client", "/download/artdag-client.mjs"]) {
    const res = await request.get(url, { headers: { accept: "*/*", "user-agent": "curl/8.5.0" } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.headers()["content-disposition"]).toBe('attachment; filename="artdag-client.mjs"');
    expect(Buffer.compare(await res.body(), file), `${url} serves the same bytes`).toBe(0);
  }
  const post = await request.post("/download/artdag-client.mjs", { data: "" });
  expect(post.status()).toBe(405);

  await page.goto("/download/client");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("The Art DAG CLI client");
  await expect(page.getByText("Node.js 20 or later")).toBeVisible();
  await expect(page.getByTestId("install-command")).toHaveText(
    `curl -o artdag-client.mjs ${MAIN.url}/download/client && node artdag-client.mjs login ${MAIN.url}`,
  );
  await expect(page.getByTestId("client-sha256")).toContainText(createHash("sha256").update(file).digest("hex"));
  const commands = page.locator('section[aria-label="Commands"]');
  for (const command of ["login <server>", "whoami", "register <file>", "list [--json]", "record-run <run_id>", "logout", "help [<command>]"]) {
    await expect(commands.getByText(`node artdag-client.mjs ${command}`)).toBeVisible();
  }
  const link = page.getByTestId("download-client");
  await expect(link).toHaveAttribute("href", "/download/artdag-client.mjs");
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe("artdag-client.mjs");
  expect(Buffer.compare(readFileSync((await download.path())!), file)).toBe(0);
});
