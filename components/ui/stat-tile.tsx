import Link from "next/link";
import type { ReactNode } from "react";

/** One big count with its label, a tile in a grid `<dl>`; with `href`, the tile links to the list it counts. */
export function StatTile({ label, value, testId, href }: { label: string; value: ReactNode; testId?: string; href?: string }) {
  const body = (
    <>
      <dt className="text-xs font-medium uppercase tracking-wide text-stone-500">{label}</dt>
      <dd className="mt-1 text-3xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </>
  );
  const tile = "rounded-xl border border-stone-200 bg-white p-4 shadow-sm";
  if (!href) return <div className={tile}>{body}</div>;
  return (
    <div className={`${tile} relative transition hover:border-accent focus-within:ring-2 focus-within:ring-accent`}>
      {body}
      {/* The whole tile is the link's target; the text stays a definition list for screen readers. */}
      <Link
        href={href}
        className="absolute inset-0 rounded-xl"
        aria-label={`See all ${label.toLowerCase()}`}
        data-testid={testId ? `${testId}-link` : undefined}
      />
    </div>
  );
}
