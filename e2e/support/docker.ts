// Docker for the image and compose tests (e2e/docker.spec.ts): the CLI run synchronously, whether a
// daemon answers, and the base images the Dockerfile and compose.yaml name (built from Debian's
// packages by scripts/docker/standins.sh on machines that reach no image registry).
import { spawnSync } from "node:child_process";
import { ROOT } from "./servers";

export const NODE_IMAGE = "node:26-bookworm-slim";
export const POSTGRES_IMAGE = "postgres:17-trixie";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in the repository root; `check` throws with its output when it fails. */
export function run(cmd: string, args: string[], options: { timeoutMs?: number; check?: boolean; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error ? String(r.error) : "") };
  if ((options.check ?? true) && result.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited ${result.status}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  }
  return result;
}

export const docker = (args: string[], options: Parameters<typeof run>[2] = {}) => run("docker", args, options);

/** Why the Docker tests cannot run here (no daemon, no base images), or null when they can. */
export function dockerUnavailable(): string | null {
  const info = run("docker", ["info", "--format", "{{.ServerVersion}}"], { check: false, timeoutMs: 15_000 });
  if (info.status !== 0) return `Docker tests skipped: no Docker daemon answers (${(info.stderr || info.stdout).trim().split("\n")[0] || "docker not found"})`;
  for (const image of [NODE_IMAGE, POSTGRES_IMAGE]) {
    if (run("docker", ["image", "inspect", image], { check: false }).status !== 0) {
      return `Docker tests skipped: the base image ${image} is missing (run scripts/docker/standins.sh)`;
    }
  }
  const compose = run("docker-compose", ["version", "--short"], { check: false });
  if (compose.status !== 0) return "Docker tests skipped: docker-compose is not installed";
  return null;
}

/** Polls `url` until it answers 200; returns the milliseconds it took. */
export async function waitFor200(url: string, timeoutMs: number, describe: () => string = () => ""): Promise<number> {
  const start = Date.now();
  let last = "";
  while (Date.now() - start < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return Date.now() - start;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})\n${describe()}`);
}
