// GET /readyz — readiness for load balancers, orchestrators and the image's HEALTHCHECK: 200 when
// the database answers, every migration is applied and the job queue runs; 503 with the reason
// otherwise. Unauthenticated, not rate-limited, never cached. (GET /healthz, liveness without any
// I/O, and the 503 while draining are answered by the front door, lib/front.)
import { json, methodNotAllowed } from "@/lib/http";
import { readiness } from "@/lib/runtime";

export async function GET() {
  const r = await readiness();
  const headers = { "cache-control": "no-store" };
  if (r.ready) return json({ status: "ready", database: r.database, migrations: r.migrations, queue: r.queue }, { headers });
  const reason =
    r.database === "starting"
      ? "The server is still starting."
      : r.database === "unavailable"
        ? "The database is unavailable."
        : r.migrations === "pending"
          ? `Migrations not applied: ${r.pending?.join(", ")}. Run npm run db:deploy.`
          : "The job queue is not running.";
  return json({ error: "not_ready", message: reason, database: r.database, migrations: r.migrations, queue: r.queue }, { status: 503, headers });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
