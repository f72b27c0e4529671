// `npm test`: the whole suite. Lint (ESLint with the import boundaries, then knip for unused files,
// exports and dependencies), unit and database tests (Vitest: PGlite, plus PostgreSQL when
// TEST_DATABASE_URL is set), then the HTTP and browser tests (Playwright against a real build),
// then one closing line: "N passed, N failed, N skipped". Exits non-zero if anything failed; a lint
// failure counts as one failed step and is named at the end.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const results = path.join(root, "test-results");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function run(cmd: string, args: string[]): number {
  console.log(`\n$ ${[path.basename(cmd), ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  return r.status ?? 1;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

mkdirSync(results, { recursive: true });
for (const f of ["unit.json", "e2e.json"]) rmSync(path.join(results, f), { force: true });

const only = process.argv[2];
let failedSteps = 0;
const failedLints: string[] = [];
if (only !== "e2e") {
  // Every linter runs even when one fails, so one run shows every problem.
  if (run(bin("eslint"), [".", "--max-warnings", "0"]) !== 0) failedLints.push("eslint");
  if (run(bin("prettier"), ["--check", ".", "--log-level", "warn"]) !== 0) failedLints.push("prettier (npm run format fixes it)");
  if (run(bin("knip"), []) !== 0) failedLints.push("knip");
  if (failedLints.length > 0) failedSteps++;
  failedSteps += run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/unit.json"]) ? 1 : 0;
}
if (only !== "unit") {
  const built = run(bin("tsx"), ["scripts/start.ts", "--build-only"]);
  if (built !== 0) failedSteps++;
  else failedSteps += run(bin("playwright"), ["test"]) ? 1 : 0;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const unit = readJson(path.join(results, "unit.json"));
if (unit) {
  passed += Number(unit.numPassedTests ?? 0);
  failed += Number(unit.numFailedTests ?? 0);
  skipped += Number(unit.numPendingTests ?? 0) + Number(unit.numTodoTests ?? 0);
}
const e2e = readJson(path.join(results, "e2e.json"));
const stats = (e2e?.stats ?? null) as Record<string, number> | null;
if (stats) {
  passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  failed += stats.unexpected ?? 0;
  skipped += stats.skipped ?? 0;
}
if (failedSteps > 0 && failed === 0) failed = failedSteps; // a step died before reporting its tests
if (only !== "unit" && !existsSync(path.join(results, "e2e.json")) && failed === 0) failed = 1;

if (failedLints.length > 0)
  console.log(`\nlint failed (${failedLints.join(", ")}): problems listed above, counted as one failed step (\`npm run lint\` runs it alone).`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0);
