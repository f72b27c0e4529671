// What a page shows when it cannot be rendered, instead of Next's bare "Application error": most
// often the database is restarting or briefly unreachable (the JSON API answers 503
// database_unavailable then), so say so and offer to try again. In production the server's error
// text never reaches the browser; the digest lets an operator find it in the server's log.
"use client";

import { useRouter } from "next/navigation";
import { startTransition } from "react";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  return (
    <div role="alert" className="mx-auto max-w-md space-y-4 py-16 text-center" data-testid="page-error">
      <p className="text-sm font-medium uppercase tracking-wide text-accent">Temporarily unavailable</p>
      <h1 className="text-2xl font-semibold tracking-tight">This page could not be loaded</h1>
      <p className="text-stone-600">
        The server could not finish this page. If it is restarting or its database is briefly unreachable, try again in a few seconds.
      </p>
      <button
        type="button"
        onClick={() => startTransition(() => (router.refresh(), reset()))}
        className="inline-flex items-center justify-center rounded-md bg-accent px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-accent-dark"
      >
        Try again
      </button>
      {error.digest ? <p className="text-xs text-stone-500">Reference: {error.digest}</p> : null}
    </div>
  );
}
