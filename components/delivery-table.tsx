import type { DeliveryView } from "@/lib/federation";
import { TimeStamp } from "./time-stamp";
import { Badge } from "./ui/badge";

const TONE: Record<string, "green" | "neutral" | "accent"> = { delivered: "green", pending: "accent", failed: "neutral", gone: "neutral" };

/** Where an activity was delivered: one row per target inbox with its state, attempts and last error. */
export function DeliveryTable({ deliveries }: { deliveries: DeliveryView[] }) {
  if (deliveries.length === 0) {
    return (
      <p className="text-sm text-stone-500" data-testid="deliveries-empty">
        No deliveries: the actor had no followers when this was published.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="deliveries">
        <thead className="text-xs uppercase tracking-wide text-stone-500">
          <tr>
            <th className="py-2 pr-4 font-medium">Inbox</th>
            <th className="py-2 pr-4 font-medium">State</th>
            <th className="py-2 pr-4 font-medium">Attempts</th>
            <th className="py-2 pr-4 font-medium">Last error</th>
            <th className="py-2 font-medium">Updated</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {deliveries.map((d) => (
            <tr key={d.target} data-testid="delivery-row">
              <td className="py-2 pr-4 font-mono text-xs break-all">{d.target}</td>
              <td className="py-2 pr-4">
                <Badge tone={TONE[d.state] ?? "neutral"}>{d.state}</Badge>
              </td>
              <td className="py-2 pr-4 tabular-nums">{d.attempts}</td>
              <td className="py-2 pr-4 text-xs text-stone-600">{d.last_error ?? "—"}</td>
              <td className="py-2 text-xs">
                <TimeStamp iso={d.updated_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
