// Part of `npm run bench`: a small closed-loop load generator. `clients` loops run side by side, each
// sending one request at a time (Node's fetch keeps one keep-alive connection per concurrent request
// to the origin) until the time is up; every request's latency is kept, so runs can be merged and
// percentiles are exact. The first failed check stops every loop and is thrown.

export interface LoadSummary {
  requests: number;
  elapsedMs: number;
  perSecond: number;
  latencyMs: { mean: number; p50: number; p99: number; max: number };
}

export class LoadCheckError extends Error {}

/** Runs `op` (which returns its latency in ms, or throws) from `clients` loops for `durationMs`. */
export async function runClients(clients: number, durationMs: number, op: () => Promise<number>): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  let failure: unknown = null;
  const client = async () => {
    while (failure === null && performance.now() < end) {
      try {
        latencies.push(await op());
      } catch (err) {
        failure ??= err;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  if (failure !== null) throw failure;
  // Until the last answer: requests still in flight at the deadline are counted, and so is their time.
  return { latencies, elapsedMs: performance.now() - started };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarize(latencies: number[], elapsedMs: number): LoadSummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    elapsedMs,
    perSecond: (sorted.length * 1000) / elapsedMs,
    latencyMs: {
      mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
    },
  };
}

/** One timed GET whose answer must be 200 with exactly `expected` as body. */
export async function timedGet(url: string, headers: Record<string, string>, expected: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new LoadCheckError(`GET ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  if (text !== expected) throw new LoadCheckError(`GET ${url} answered a different body: ${text.slice(0, 300)}…`);
  return ms;
}
