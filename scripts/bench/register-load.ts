// Part of `npm run bench`: registrations through the real HTTP API, `POST /assets` with a Bearer
// token from `clients` closed loops (scripts/bench/load.ts), every body with a fresh name and content
// hash. Any answer other than 201 with the asset just sent stops the run with the status and body.
import { createHash, randomBytes } from "node:crypto";
import { LoadCheckError, runClients, summarize, type LoadSummary } from "./load";

export interface RegisterLoadResult extends LoadSummary {
  clients: number;
}

/** A run-unique prefix, so names and hashes never collide with earlier runs on the same database. */
const RUN = randomBytes(4).toString("hex");
let sequence = 0;

function nextBody(): { name: string; content_hash: string; body: string } {
  const n = sequence++;
  const name = `bench-${RUN}-${n}`;
  const content_hash = createHash("sha256").update(`artdag-bench:${RUN}:${n}`).digest("hex");
  return { name, content_hash, body: JSON.stringify({ name, content_hash, asset_type: "image", tags: ["bench"] }) };
}

async function registerOnce(base: string, token: string): Promise<number> {
  const { name, content_hash, body } = nextBody();
  const t0 = performance.now();
  const res = await fetch(`${base}/assets`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 201) throw new LoadCheckError(`POST /assets (${name}) answered ${res.status}: ${text.slice(0, 500)}`);
  let asset: { name?: unknown; content_hash?: unknown } | undefined;
  try {
    asset = (JSON.parse(text) as { asset?: typeof asset }).asset;
  } catch {
    // reported below
  }
  if (asset?.name !== name || asset.content_hash !== content_hash) {
    throw new LoadCheckError(`POST /assets (${name}) answered 201 with an unexpected body: ${text.slice(0, 500)}`);
  }
  return ms;
}

/** Registers for `durationMs` with `clients` concurrent clients, after `warmupMs` of the same load (not counted). */
export async function registerLoad(base: string, token: string, clients: number, durationMs: number, warmupMs: number): Promise<RegisterLoadResult> {
  const op = () => registerOnce(base, token);
  if (warmupMs > 0) await runClients(clients, warmupMs, op);
  const { latencies, elapsedMs } = await runClients(clients, durationMs, op);
  return { clients, ...summarize(latencies, elapsedMs) };
}
