// The last resort, when even the root layout fails: a plain page with a way to try again (it
// replaces the layout, so it brings its own <html> and no styles it cannot be sure of).
"use client";

export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: "32rem", margin: "4rem auto", padding: "0 1rem", textAlign: "center" }}>
        <div role="alert" data-testid="page-error">
          <h1>Art DAG L2 is temporarily unavailable</h1>
          <p>The server could not finish this page. If it is restarting or its database is briefly unreachable, it will be back in a few seconds.</p>
          <button type="button" onClick={() => reset()}>
            Try again
          </button>
          {error.digest ? <p style={{ fontSize: "0.75rem", color: "#78716c" }}>Reference: {error.digest}</p> : null}
        </div>
      </body>
    </html>
  );
}
