import Link from "next/link";

/** Pages of product.md §8 that exist; later capabilities add theirs here. */
const NAV = [
  { href: "/", label: "Home" },
  { href: "/assets", label: "Assets" },
  { href: "/activities", label: "Activities" },
  { href: "/users", label: "Users" },
  { href: "/renderers", label: "Renderers" },
  { href: "/anchors/ui", label: "Anchors" },
  { href: "/download/client", label: "CLI" },
];

/** The site's top bar: navigation and the signed-in state. */
export function SiteHeader({ username }: { username: string | null }) {
  return (
    <header className="border-b border-stone-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3">
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
          <Link href="/" className="flex items-center gap-2 whitespace-nowrap font-semibold tracking-tight">
            <span aria-hidden className="inline-block h-6 w-6 rounded-md bg-gradient-to-br from-accent to-fuchsia-500" />
            Art DAG <span className="text-stone-500">L2</span>
          </Link>
          <nav aria-label="Main" className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-stone-600">
            {NAV.map((item) => (
              <Link key={item.href} href={item.href} className="hover:text-ink">
                {item.label}
              </Link>
            ))}
          </nav>
        </div>
        <div className="flex items-center gap-3 text-sm" data-testid="session-state">
          {username ? (
            <>
              <span className="text-stone-600">
                Signed in as{" "}
                <strong className="text-ink" data-testid="signed-in-user">
                  {username}
                </strong>
              </span>
              <Link href="/register-work" className="font-medium text-accent hover:text-accent-dark">
                Register a work
              </Link>
              <Link href="/settings/clients" className="hover:text-ink">
                Client keys
              </Link>
              <Link href="/logout" className="rounded-md border border-stone-300 px-3 py-1.5 hover:bg-stone-100">
                Log out
              </Link>
            </>
          ) : (
            <>
              <Link href="/login" className="hover:text-ink">
                Log in
              </Link>
              <Link href="/register" className="rounded-md bg-accent px-3 py-1.5 font-medium text-white hover:bg-accent-dark">
                Register
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
