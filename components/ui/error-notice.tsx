/** A failed load, with its message and a way to try again. */
export function ErrorNotice({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-700"
      data-testid="list-error"
    >
      <span>Could not load: {message}</span>
      {onRetry ? (
        <button type="button" onClick={onRetry} className="rounded-md border border-red-300 bg-white px-3 py-1 font-medium hover:bg-red-100">
          Try again
        </button>
      ) : null}
    </div>
  );
}
