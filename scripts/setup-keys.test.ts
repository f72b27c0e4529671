import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");

function setupKeys(args: string[], env: Record<string, string> = {}) {
  return run(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/setup-keys.ts", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env } as unknown as NodeJS.ProcessEnv,
  });
}

describe("npm run setup-keys", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "artdag-setup-keys-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("creates the key pair of --user in --data-dir/keys and never overwrites it", async () => {
    const first = await setupKeys(["--data-dir", dir, "--user", "alice"]);
    expect(first.stdout).toContain("Created");
    const pem = path.join(dir, "keys", "alice.pem");
    expect((await stat(pem)).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dir, "keys", "alice.pub"), "utf8")).toContain("BEGIN PUBLIC KEY");
    const before = await readFile(pem, "utf8");

    const second = await setupKeys(["--data-dir", dir, "--user", "alice"]);
    expect(second.stdout).toContain("never overwritten");
    expect(await readFile(pem, "utf8")).toBe(before);
  });

  it("defaults to $ARTDAG_DATA and $ARTDAG_USER", async () => {
    await setupKeys([], { ARTDAG_DATA: dir, ARTDAG_USER: "giles" });
    expect((await stat(path.join(dir, "keys", "giles.pem"))).isFile()).toBe(true);
  });

  it("refuses a user name that could escape the folder", async () => {
    const err = await setupKeys(["--data-dir", dir, "--user", "../evil"]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain("--user");
  });
});
