// Typed fetchers for the JSON API, one per endpoint: the only place client components talk HTTP.
import type { SiteStats } from "@/lib/site";

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** `GET /` as JSON: the home page's live counts. */
export function fetchSiteStats(): Promise<SiteStats> {
  return getJson<SiteStats>("/");
}
