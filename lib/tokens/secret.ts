import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "@/lib/config";

export type JwtSecretSource = "env" | "secrets_file" | "data_file" | "generated";

/**
 * The HS256 secret, in product.md §1's order: JWT_SECRET, then `/run/secrets/jwt_secret`, then
 * `$ARTDAG_DATA/jwt_secret`, which is generated once (mode 600) so tokens survive restarts.
 */
export function resolveJwtSecret(config: Pick<Config, "jwtSecret" | "secretsDir" | "dataDir">): { secret: string; source: JwtSecretSource; path?: string } {
  if (config.jwtSecret) return { secret: config.jwtSecret, source: "env" };
  const mounted = path.join(config.secretsDir, "jwt_secret");
  const fromMount = readTrimmed(mounted);
  if (fromMount) return { secret: fromMount, source: "secrets_file", path: mounted };
  const kept = path.join(config.dataDir, "jwt_secret");
  const fromData = readTrimmed(kept);
  if (fromData) return { secret: fromData, source: "data_file", path: kept };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("hex");
  try {
    writeFileSync(kept, secret + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    // Another process generated it first: use theirs, so both sign with one secret.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      const theirs = readTrimmed(kept);
      if (theirs) return { secret: theirs, source: "data_file", path: kept };
    }
    throw err;
  }
  return { secret, source: "generated", path: kept };
}

function readTrimmed(file: string): string | null {
  try {
    const s = readFileSync(file, "utf8").trim();
    return s || null;
  } catch {
    return null;
  }
}
