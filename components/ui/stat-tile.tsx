import Link from "next/link";
import type { ReactNode } from "react";

/** One big count with its label, a tile in a grid `<dl>`; with `href`, the tile links to the list it counts. */
export function StatTile({ label, value, testId, href }: { label: string; value: ReactNode; testId?: string; href?: string }) {
  const tile = "rounded-xl border border-stone-200 bg-white p-4 shadow-sm";
  return (
    <div className={href ? `${tile} relative transition hover:border-accent focus-within:ring-2 focus-within:ring-accent` : tile}>
      <dt className="text-xs font-medium uppercase tracking-wide text-stone-600">{label}</dt>
      <dd className="mt-1 text-3xl font-semibold tabular-nums">
        <span data-testid={testId}>{value}</span>
        {/* The whole tile is the link's target; inside the dd, so the list stays dt/dd pairs. */}
        {href ? (
          <Link
            href={href}
            className="absolute inset-0 rounded-xl"
            aria-label={`See all ${label.toLowerCase()}`}
            data-testid={testId ? `${testId}-link` : undefined}
          />
        ) : null}
      </dd>
    </div>
  );
}
