// The operator's path in real Docker (issue #13): the image built from the real Dockerfile on the
// stand-in base image (scripts/docker/standins.sh), run with only a volume on the embedded database
// and the JWT secret given as the Docker secret /run/secrets/jwt_secret; the account and its token
// survive a restart. Then compose.yaml with its PostgreSQL and two app replicas (the host-network
// overlay e2e/fixtures/docker/compose.host.yaml): the replicas behave as one server. Skipped with
// one line when no Docker daemon answers. Ports 8460–8463.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { jwtVerify } from "jose";
import { PASSWORD, uniqueUsername } from "./support/api";
import { logMessages } from "./support/logs";
import { docker, dockerUnavailable, run, waitFor200 } from "./support/docker";

const IMAGE = "artdag-l2:e2e";
const SINGLE_PORT = 8460;
const PG_PORT = 8461;
const REPLICA_A = 8462;
const REPLICA_B = 8463;
const PROJECT = "artdag-e2e";
const STACK = "artdag-e2e-swarm";
const STACK_PG_PORT = 8470;
/** The stack overlay gives task slot N the port 847N. */
const STACK_REPLICAS = [8471, 8472];
let swarmStack = false;
let swarmStartedHere = false;

const unavailable = dockerUnavailable();
test.describe("the image and the compose stack, in Docker", () => {
  test.describe.configure({ mode: "serial" });
  test.skip(unavailable !== null, unavailable ?? "");

  const secrets = mkdtempSync(path.join(os.tmpdir(), "artdag-docker-secrets-"));
  const jwtSecret = "docker-secret-0123456789abcdef0123456789abcdef";
  test.beforeAll(() => {
    // What an interrupted earlier run may have left: the stack's volumes would carry its data over.
    docker(["volume", "rm", "-f", `${STACK}_l2-data`, `${STACK}_postgres-data`], { check: false });
    writeFileSync(path.join(secrets, "jwt_secret"), `${jwtSecret}\n`, { mode: 0o644 });
    writeFileSync(path.join(secrets, "postgres_password"), "pg-password-for-e2e\n", { mode: 0o644 });
  });
  test.afterAll(() => {
    docker(["rm", "-f", "artdag-e2e-single"], { check: false });
    docker(["volume", "rm", "-f", "artdag-e2e-data"], { check: false });
    if (swarmStack) {
      docker(["stack", "rm", STACK], { check: false });
      // The stack's volumes and secrets go once its tasks are gone.
      for (let i = 0; i < 60 && docker(["ps", "-aq", "--filter", `label=com.docker.stack.namespace=${STACK}`]).stdout.trim(); i++) spawnSync("sleep", ["1"]);
      docker(["volume", "rm", "-f", `${STACK}_l2-data`, `${STACK}_postgres-data`], { check: false });
      docker(["secret", "rm", "jwt_secret", "postgres_password"], { check: false });
      if (swarmStartedHere) docker(["swarm", "leave", "--force"], { check: false });
    }
    if (existsSync(merged)) compose(["down", "-v", "--remove-orphans"], { check: false });
    rmSync(secrets, { recursive: true, force: true });
  });

  const composeEnv = {
    L2_IMAGE: IMAGE,
    ARTDAG_SECRETS: secrets,
    E2E_PG_PORT: String(PG_PORT),
    E2E_L2_PORT: String(REPLICA_A),
    E2E_L2B_PORT: String(REPLICA_B),
  };
  const merged = path.join(secrets, "compose.merged.yaml");
  /**
   * compose.yaml with the host-network overlay, as `docker-compose config` merges them, less the
   * published ports: Docker refuses port bindings on the host network (where every port is the
   * host's already), and compose cannot remove a list entry in an overlay.
   */
  function writeMergedCompose() {
    const config = run("docker-compose", ["-p", PROJECT, "-f", "compose.yaml", "-f", "e2e/fixtures/docker/compose.host.yaml", "config"], {
      env: composeEnv,
    }).stdout;
    withoutPorts(config, merged);
  }
  /** Writes a merged configuration to `file` without its published ports. */
  function withoutPorts(config: string, file: string) {
    writeFileSync(`${file}.in`, config);
    // Debian's docker-compose runs on python3-yaml, so it is there whenever docker-compose is.
    run("/usr/bin/python3", [
      "-c",
      "import sys, yaml\nd = yaml.safe_load(open(sys.argv[1]))\nfor s in d['services'].values(): s.pop('ports', None)\nyaml.safe_dump(d, open(sys.argv[2], 'w'))",
      `${file}.in`,
      file,
    ]);
  }
  function compose(args: string[], options: { check?: boolean; timeoutMs?: number } = {}) {
    return run("docker-compose", ["-p", PROJECT, "-f", merged, ...args], { ...options, env: composeEnv });
  }

  async function post(url: string, body: unknown, token?: string) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const me = async (base: string, token: string) => {
    const res = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test("the image: built from the Dockerfile, non-root, healthy on the embedded database with only a volume; the account and token survive a restart", async () => {
    test.setTimeout(900_000);
    docker(["build", "--network", "host", "-t", IMAGE, "."], { timeoutMs: 780_000, env: { DOCKER_BUILDKIT: "0" } });
    const size = Number(docker(["image", "inspect", "-f", "{{.Size}}", IMAGE]).stdout.trim());
    test.info().annotations.push({ type: "image size", description: `${(size / 1024 / 1024).toFixed(0)} MiB` });
    expect(docker(["image", "inspect", "-f", "{{.Config.User}} {{.Config.StopSignal}} {{json .Config.Healthcheck.Test}}", IMAGE]).stdout.trim()).toMatch(
      /^node SIGTERM \[.*\/readyz/,
    );

    docker(["volume", "rm", "-f", "artdag-e2e-data"], { check: false });
    const started = Date.now();
    docker([
      "run",
      "-d",
      "--name",
      "artdag-e2e-single",
      "--network",
      "host",
      "-e",
      `PORT=${SINGLE_PORT}`,
      "-v",
      "artdag-e2e-data:/data",
      "-v",
      `${secrets}/jwt_secret:/run/secrets/jwt_secret:ro`,
      IMAGE,
    ]);
    const base = `http://127.0.0.1:${SINGLE_PORT}`;
    const logs = () => docker(["logs", "artdag-e2e-single"], { check: false }).stdout + docker(["logs", "artdag-e2e-single"], { check: false }).stderr;
    await waitFor200(`${base}/readyz`, 120_000, logs);
    test.info().annotations.push({ type: "start-up to ready", description: `${Date.now() - started} ms` });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: "ready", database: "ok", migrations: "current", queue: "running" });
    expect(docker(["exec", "artdag-e2e-single", "id", "-u"]).stdout.trim()).toBe("1000");
    // public/ is in the image: robots.txt and the Open Graph image are served.
    const robots = await fetch(`${base}/robots.txt`);
    expect([robots.status, (await robots.text()).includes("User-agent: *")]).toEqual([200, true]);
    expect((await fetch(`${base}/og-image.png`)).headers.get("content-type")).toBe("image/png");
    // The README and docs/ are in the image: /about and its documents are served.
    expect(await (await fetch(`${base}/about`, { headers: { accept: "text/html" } })).text()).toContain("Quick start");
    expect((await fetch(`${base}/about/docs/operations`, { headers: { accept: "text/html" } })).status).toBe(200);
    // The HEALTHCHECK (GET /readyz every 10 s) reports healthy.
    await expect
      .poll(() => docker(["inspect", "-f", "{{.State.Health.Status}}", "artdag-e2e-single"]).stdout.trim(), { timeout: 90_000, intervals: [2000] })
      .toBe("healthy");

    const username = uniqueUsername("docker");
    const registered = await post(`${base}/auth/register`, { username, password: PASSWORD });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const token = registered.body.access_token as string;
    // Signed with the Docker secret, and no secret was generated in the volume.
    await jwtVerify(token, new TextEncoder().encode(jwtSecret));
    expect(docker(["exec", "artdag-e2e-single", "ls", "/data"]).stdout.split("\n")).not.toContain("jwt_secret");

    docker(["restart", "-t", "30", "artdag-e2e-single"], { timeoutMs: 60_000 });
    expect(logMessages(logs(), "server")).toContain("stopped");
    await waitFor200(`${base}/readyz`, 120_000, logs);
    expect(await me(base, token)).toEqual({ status: 200, body: expect.objectContaining({ username }) });
    const login = await post(`${base}/auth/login`, { username, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  test("compose.yaml: PostgreSQL and two app replicas behave as one server", async () => {
    test.setTimeout(300_000);
    writeMergedCompose();
    expect(readFileSync(merged, "utf8")).toMatch(/network_mode: host/);
    compose(["down", "-v", "--remove-orphans"], { check: false });
    compose(["up", "-d", "--no-build"], { timeoutMs: 180_000 });
    const a = `http://127.0.0.1:${REPLICA_A}`;
    const b = `http://127.0.0.1:${REPLICA_B}`;
    const logs = () => compose(["logs", "--no-color", "--tail", "60"], { check: false }).stdout;
    await waitFor200(`${a}/readyz`, 120_000, logs);
    await waitFor200(`${b}/readyz`, 120_000, logs);

    // An account made through one replica logs in through the other; its token works on both.
    const username = uniqueUsername("replicas");
    const registered = await post(`${a}/auth/register`, { username, password: PASSWORD });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const token = registered.body.access_token as string;
    expect((await me(b, token)).status).toBe(200);
    const second = await post(`${b}/auth/login`, { username, password: PASSWORD });
    expect(second.status).toBe(200);

    // An asset registered through B is listed by A, signed with the one key pair both use.
    const hash = "ab".repeat(32);
    const asset = await post(`${b}/assets`, { name: `docker-${username}`, content_hash: hash, asset_type: "image" }, token);
    expect(asset.status, JSON.stringify(asset.body)).toBe(201);
    const listed = (await (await fetch(`${a}/assets?limit=5`, { headers: { accept: "application/json" } })).json()) as { items: { name: string }[] };
    expect(listed.items.map((x) => x.name)).toContain(`docker-${username}`);

    // Logged out through A: refused by B at once.
    const logout = await post(`${a}/auth/logout`, {}, token);
    expect(logout).toEqual({ status: 200, body: { revoked: true } });
    expect(await me(b, token)).toEqual({ status: 401, body: { error: "unauthorized", message: "The token is invalid, expired or revoked." } });
  });

  test("stack.yaml on Docker Swarm: two replicas with the external jwt_secret, one server", async () => {
    test.setTimeout(300_000);
    if (docker(["info", "--format", "{{.Swarm.LocalNodeState}}"]).stdout.trim() !== "active") {
      docker(["swarm", "init", "--advertise-addr", "127.0.0.1"], { timeoutMs: 60_000 });
      swarmStartedHere = true;
    }
    swarmStack = true;
    // The seed's flow: the secrets are created in the swarm, and the stack names them as external.
    docker(["secret", "rm", "jwt_secret", "postgres_password"], { check: false });
    run("sh", [
      "-c",
      `docker secret create jwt_secret ${path.join(secrets, "jwt_secret")} && docker secret create postgres_password ${path.join(secrets, "postgres_password")}`,
    ]);
    const env = { L2_IMAGE: IMAGE, ARTDAG_DOMAIN: `127.0.0.1:${STACK_REPLICAS[0]}`, E2E_PG_PORT: String(STACK_PG_PORT) };
    const config = run("docker", ["stack", "config", "-c", "stack.yaml", "-c", "e2e/fixtures/docker/stack.host.yaml"], { env }).stdout;
    expect(config).toMatch(/replicas: 2/);
    expect(config).toMatch(/failure_action: rollback/);
    const stackFile = path.join(secrets, "stack.merged.yaml");
    withoutPorts(config, stackFile);
    docker(["stack", "deploy", "--detach=true", "-c", stackFile, STACK], { timeoutMs: 120_000 });
    const [a, b] = STACK_REPLICAS.map((port) => `http://127.0.0.1:${port}`);
    const logs = () => docker(["service", "logs", "--tail", "40", `${STACK}_l2`], { check: false }).stdout;
    // No depends_on in Swarm: a task started before PostgreSQL answers exits with one line and is restarted.
    await waitFor200(`${a}/readyz`, 180_000, logs);
    await waitFor200(`${b}/readyz`, 180_000, logs);
    // Swarm counts a task once its HEALTHCHECK (GET /readyz) has passed.
    await expect
      .poll(() => docker(["service", "ls", "--filter", `name=${STACK}_l2`, "--format", "{{.Replicas}}"]).stdout.trim(), { timeout: 120_000, intervals: [2000] })
      .toBe("2/2");

    const username = uniqueUsername("swarm");
    const registered = await post(`${a}/auth/register`, { username, password: PASSWORD });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const token = registered.body.access_token as string;
    await jwtVerify(token, new TextEncoder().encode(jwtSecret));
    expect(await me(b, token)).toEqual({ status: 200, body: expect.objectContaining({ username }) });
    expect(await post(`${b}/auth/logout`, {}, token)).toEqual({ status: 200, body: { revoked: true } });
    expect((await me(a, token)).status).toBe(401);
  });
});
