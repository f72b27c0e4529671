// Any path nothing serves, and notFound() in a page — the HTML 404 page, "Nothing here".
import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md space-y-4 py-16 text-center">
      <p className="text-sm font-medium uppercase tracking-wide text-accent">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Nothing here</h1>
      <p className="text-stone-600">This page does not exist.</p>
      <Link href="/" className="inline-block text-accent underline">
        Back to the home page
      </Link>
    </div>
  );
}
