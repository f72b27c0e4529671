/** Grey placeholder rows while a list's first page loads. */
export function SkeletonRows({ rows = 3 }: { rows?: number }) {
  return (
    <div className="space-y-3" aria-hidden data-testid="list-loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="animate-pulse rounded-xl border border-stone-200 bg-white p-4">
          <div className="h-4 w-1/3 rounded bg-stone-200" />
          <div className="mt-3 h-3 w-2/3 rounded bg-stone-100" />
        </div>
      ))}
    </div>
  );
}
