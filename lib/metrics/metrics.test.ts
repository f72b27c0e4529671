// The metrics registry as Prometheus scrapes it: the request and delivery counters, the latency
// histogram, the database figures read at each scrape (and what a scrape says when the database
// does not answer), and GET /metrics over HTTP.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enableMetrics, recordDeliveries, recordRequest, renderMetrics, serveMetrics, setDatabaseFigures } from "./index";

/** The value of one sample line (`name{labels} value`) in the text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metrics", () => {
  it("are off until enabled: nothing is recorded or rendered", async () => {
    recordRequest("GET", "/", 200, 0.01);
    expect(await renderMetrics()).toBeNull();
  });

  describe("once enabled", () => {
    let server: http.Server;
    let url: string;
    let databaseAnswers = true;
    let reads = 0;
    beforeAll(async () => {
      enableMetrics();
      setDatabaseFigures(async () => {
        reads += 1;
        if (!databaseAnswers) throw new Error("connection refused");
        return {
          queue: [
            { queue: "deliver", state: "created", count: 7 },
            { queue: "deliver", state: "active", count: 2 },
          ],
          anchorsPending: 3,
          activitiesUnanchored: 11,
        };
      });
      server = http.createServer((req, res) => void serveMetrics(req, res));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("counts requests per method, route and status, with their latency", async () => {
      recordRequest("GET", "/users/[username]", 200, 0.0004);
      recordRequest("GET", "/users/[username]", 200, 0.03);
      recordRequest("GET", "/users/[username]", 404, 0.002);
      recordRequest("POST", "/inbox", 202, 0.2);
      const text = (await renderMetrics())!.text;
      expect(sample(text, 'artdag_http_requests_total{method="GET",route="/users/[username]",status="200"}')).toBe(2);
      expect(sample(text, 'artdag_http_requests_total{method="GET",route="/users/[username]",status="404"}')).toBe(1);
      expect(sample(text, 'artdag_http_requests_total{method="POST",route="/inbox",status="202"}')).toBe(1);
      expect(sample(text, 'artdag_http_request_duration_seconds_count{method="GET",route="/users/[username]"}')).toBe(3);
      expect(sample(text, 'artdag_http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/users/[username]"}')).toBe(1);
      expect(sample(text, 'artdag_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/users/[username]"}')).toBe(3);
      expect(sample(text, 'artdag_http_request_duration_seconds_sum{method="POST",route="/inbox"}')).toBeCloseTo(0.2);
    });

    it("counts deliveries by outcome, every outcome present from the start", async () => {
      const before = (await renderMetrics())!.text;
      for (const outcome of ["delivered", "retried", "failed", "gone"]) expect(sample(before, `artdag_deliveries_total{outcome="${outcome}"}`)).toBe(0);
      recordDeliveries("delivered", 5);
      recordDeliveries("failed", 1);
      recordDeliveries("retried", 0);
      const after = (await renderMetrics())!.text;
      expect(sample(after, 'artdag_deliveries_total{outcome="delivered"}')).toBe(5);
      expect(sample(after, 'artdag_deliveries_total{outcome="failed"}')).toBe(1);
      expect(sample(after, 'artdag_deliveries_total{outcome="retried"}')).toBe(0);
    });

    it("reads the queue's depth and the anchoring backlog from the database once per scrape", async () => {
      reads = 0;
      await new Promise((r) => setTimeout(r, 1100)); // past the one-second reuse of a read
      const text = (await renderMetrics())!.text;
      expect(reads).toBe(1);
      expect(sample(text, "artdag_database_up")).toBe(1);
      expect(sample(text, 'artdag_queue_jobs{queue="deliver",state="created"}')).toBe(7);
      expect(sample(text, 'artdag_queue_jobs{queue="deliver",state="active"}')).toBe(2);
      expect(sample(text, "artdag_anchors_pending")).toBe(3);
      expect(sample(text, "artdag_activities_unanchored")).toBe(11);
      expect(sample(text, "process_cpu_seconds_total")).toBeGreaterThan(0);
    });

    it("says the database is down, and reports its figures as unknown rather than stale", async () => {
      databaseAnswers = false;
      await new Promise((r) => setTimeout(r, 1100));
      try {
        const text = (await renderMetrics())!.text;
        expect(sample(text, "artdag_database_up")).toBe(0);
        expect(text).not.toMatch(/^artdag_queue_jobs\{/m);
        expect(sample(text, "artdag_anchors_pending")).toBeNaN();
        expect(sample(text, "artdag_activities_unanchored")).toBeNaN();
        expect(sample(text, 'artdag_deliveries_total{outcome="delivered"}')).toBe(5);
      } finally {
        databaseAnswers = true;
      }
    });

    it("serves GET and HEAD /metrics in Prometheus' text format, never cached, and refuses other methods", async () => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.text()).toContain("# TYPE artdag_http_requests_total counter");
      const head = await fetch(url, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
      const post = await fetch(url, { method: "POST" });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET, HEAD");
      expect(await post.json()).toEqual({ error: "method_not_allowed", message: "POST is not allowed here; use GET." });
    });
  });
});
