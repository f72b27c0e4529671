import type { ReactNode } from "react";

/** Label/value pairs laid out as two columns. */
export function Facts({ children }: { children: ReactNode }) {
  return <dl className="grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-[9rem_minmax(0,1fr)]">{children}</dl>;
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="pt-0.5 text-xs font-medium uppercase tracking-wide text-stone-500">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children}</dd>
    </>
  );
}

/** A label above its value, for a row of short facts in a grid `<dl>`. */
export function StackedFact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-stone-500">{label}</dt>
      <dd className="mt-0.5 text-sm">{children}</dd>
    </div>
  );
}
