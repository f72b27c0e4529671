// Test support (vitest and Playwright): runs lib/anchors/testdata/verify_ots.py, the reference
// OpenTimestamps client's checks, on one `.ots` file and the activity bytes it should commit to.
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const SCRIPT = path.join(import.meta.dirname, "verify_ots.py");

/**
 * Why the reference client cannot run here (no python3, or no Debian python3-opentimestamps), as
 * the one line a test run prints when it skips its checks; null when it can run.
 */
export const referenceClientMissing: string | null = (() => {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import opentimestamps.core.timestamp"], { encoding: "utf8" });
  if (probe.status === 0) return null;
  return "the reference OpenTimestamps client is not installed (apt install python3-opentimestamps): its checks of our .ots files are skipped";
})();

export interface OracleAttestation {
  kind: "pending" | "bitcoin" | "other";
  msg: string;
  uri?: string;
  height?: number;
  verified?: boolean;
  verified_time?: number;
  error?: string;
}

export interface OracleResult {
  parsed: boolean;
  error?: string;
  file_digest?: string;
  digest_matches?: boolean;
  reserialized_identical?: boolean;
  attestations?: OracleAttestation[];
}

/** Runs the reference client's checks on `ots` against `body`; with `esplora`, Bitcoin attestations too. */
export async function runOracle(ots: Uint8Array, body: string, esplora?: string): Promise<OracleResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "artdag-ots-"));
  try {
    await writeFile(path.join(dir, "proof.ots"), ots);
    await writeFile(path.join(dir, "body"), body, "utf8");
    const args = [SCRIPT, path.join(dir, "proof.ots"), path.join(dir, "body"), ...(esplora ? [esplora] : [])];
    const { stdout } = await promisify(execFile)("/usr/bin/python3", args, { timeout: 30_000 });
    return JSON.parse(stdout) as OracleResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
