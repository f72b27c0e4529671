// Prometheus metrics (prom-client), served at GET /metrics only where the operator asked for them
// (config.metrics: METRICS=true on the main port, or METRICS_PORT alone). Off, nothing is created
// or recorded: the registry exists only once enableMetrics() ran.
//
// What is measured: requests per route, method and status, and their latency (the front door);
// outbound deliveries by outcome (the deliver worker); and, read from the database at each scrape,
// the job queue's depth per queue and state, anchors awaiting Bitcoin and activities not yet in an
// anchor batch. The database figures are the same on every replica (aggregate them with max);
// the counters are per process (sum them). Held on globalThis: the front door and the app's
// bundles record into one registry.
import type { IncomingMessage, ServerResponse } from "node:http";
import client from "prom-client";

/** What the database holds at a scrape (lib/runtime reads it). */
export interface DatabaseFigures {
  /** Jobs not finished, per queue and state (created, retry, active). */
  queue: { queue: string; state: string; count: number }[];
  /** Anchor batches submitted and not yet confirmed in a Bitcoin block. */
  anchorsPending: number;
  /** Published activities not yet in any anchor batch. */
  activitiesUnanchored: number;
}

const DELIVERY_OUTCOMES = ["delivered", "retried", "failed", "gone"] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

interface Metrics {
  registry: client.Registry;
  requests: client.Counter<"method" | "route" | "status">;
  duration: client.Histogram<"method" | "route">;
  deliveries: client.Counter<"outcome">;
  readDatabase: (() => Promise<DatabaseFigures>) | null;
}

const holder = globalThis as unknown as { __artdagMetrics?: Metrics };

/** Latency buckets (seconds): a cached document is answered in well under a millisecond. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function create(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    registry,
    requests: new client.Counter({
      name: "artdag_http_requests_total",
      help: "HTTP requests answered, by method, route (the app's route pattern) and status.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    duration: new client.Histogram({
      name: "artdag_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its answer, by method and route.",
      labelNames: ["method", "route"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    deliveries: new client.Counter({
      name: "artdag_deliveries_total",
      help: "Outbound activity deliveries by outcome: delivered, retried (to be sent again), failed (gave up), gone (404/410).",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    readDatabase: null,
  };
  // Every outcome is reported from the start, at 0, so a rate is defined before the first failure.
  for (const outcome of DELIVERY_OUTCOMES) metrics.deliveries.inc({ outcome }, 0);
  // One database read per scrape, shared by the gauges below (each collect() asks for it).
  let figures: Promise<DatabaseFigures | null> | null = null;
  let readAt = 0;
  const read = () => {
    if (figures === null || Date.now() - readAt > 1000) {
      readAt = Date.now();
      figures = (metrics.readDatabase?.() ?? Promise.resolve(null)).catch(() => null);
    }
    return figures;
  };
  new client.Gauge({
    name: "artdag_database_up",
    help: "1 when the database answered this scrape's questions, else 0 (the queue's series are then absent, the anchoring figures NaN).",
    registers: [registry],
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  new client.Gauge({
    name: "artdag_queue_jobs",
    help: "Jobs waiting or running in the persisted queue, by queue and state (created, retry, active).",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await read())?.queue ?? []) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  // One figure of the database each, NaN when it did not answer.
  const backlog: [string, string, "anchorsPending" | "activitiesUnanchored"][] = [
    ["artdag_anchors_pending", "OpenTimestamps batches submitted and not yet confirmed in a Bitcoin block.", "anchorsPending"],
    ["artdag_activities_unanchored", "Published activities not yet in an anchor batch.", "activitiesUnanchored"],
  ];
  for (const [name, help, field] of backlog) {
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const f = await read();
        this.set(f ? f[field] : NaN);
      },
    });
  }
  return metrics;
}

/** Creates the registry (once per process): from then on requests and deliveries are counted. */
export function enableMetrics(): void {
  holder.__artdagMetrics ??= create();
}

/** Where the database figures come from (the runtime, once the database is open). */
export function setDatabaseFigures(read: () => Promise<DatabaseFigures>): void {
  if (holder.__artdagMetrics) holder.__artdagMetrics.readDatabase = read;
}

/** Counts one answered request; nothing when metrics are off. */
export function recordRequest(method: string, route: string, status: number, seconds: number): void {
  const m = holder.__artdagMetrics;
  if (!m) return;
  m.requests.inc({ method, route, status: String(status) });
  m.duration.observe({ method, route }, seconds);
}

/** Counts delivery outcomes; nothing when metrics are off. */
export function recordDeliveries(outcome: DeliveryOutcome, count: number): void {
  if (count > 0) holder.__artdagMetrics?.deliveries.inc({ outcome }, count);
}

/** The registry in Prometheus' text format, or null when metrics are off. */
export async function renderMetrics(): Promise<{ contentType: string; text: string } | null> {
  const m = holder.__artdagMetrics;
  return m ? { contentType: m.registry.contentType, text: await m.registry.metrics() } : null;
}

/**
 * Answers GET (or HEAD) /metrics with the registry in Prometheus' text format; anything else on
 * the path gets a JSON 405. Call only where metrics are meant to be served.
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const m = holder.__artdagMetrics;
  if ((method !== "GET" && method !== "HEAD") || !m) {
    const body = JSON.stringify(
      m ? { error: "method_not_allowed", message: `${method} is not allowed here; use GET.` } : { error: "not_found", message: "Metrics are off." },
    );
    res.writeHead(m ? 405 : 404, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...(m ? { allow: "GET, HEAD" } : {}) });
    res.end(body);
    return;
  }
  const { contentType, text } = (await renderMetrics())!;
  res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(method === "HEAD" ? undefined : text);
}
