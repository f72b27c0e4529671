import type { ReactNode } from "react";

/** What a list shows when it has nothing: a title and, optionally, how to change that. */
export function EmptyState({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="rounded-xl border border-dashed border-stone-300 bg-white px-6 py-10 text-center" data-testid="empty-state">
      <p className="font-medium text-stone-800">{title}</p>
      {children ? <div className="mx-auto mt-2 max-w-xl text-sm text-stone-600">{children}</div> : null}
    </div>
  );
}
