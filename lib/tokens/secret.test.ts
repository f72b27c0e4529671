import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveJwtSecret } from "./secret";

describe("resolveJwtSecret", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "artdag-secret-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const cfg = (jwtSecret: string | null = null) => ({
    jwtSecret,
    secretsDir: path.join(dir, "run-secrets"),
    dataDir: path.join(dir, "data"),
  });

  it("prefers JWT_SECRET", () => {
    expect(resolveJwtSecret(cfg("s".repeat(40)))).toEqual({ secret: "s".repeat(40), source: "env" });
  });

  it("reads the container secret file next, trimmed", async () => {
    await mkdir(path.join(dir, "run-secrets"));
    await writeFile(path.join(dir, "run-secrets", "jwt_secret"), "from-docker-secret\n");
    expect(resolveJwtSecret(cfg())).toMatchObject({ secret: "from-docker-secret", source: "secrets_file" });
  });

  it("otherwise generates one secret, mode 600, and keeps using it", async () => {
    const first = resolveJwtSecret(cfg());
    expect(first.source).toBe("generated");
    expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, "data", "jwt_secret");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).trim()).toBe(first.secret);
    const second = resolveJwtSecret(cfg());
    expect(second).toEqual({ secret: first.secret, source: "data_file", path: file });
  });
});
