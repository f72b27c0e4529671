// Typed fetchers for the JSON API, one per endpoint: the only place client components talk HTTP.
// Each asks for JSON on the page's own URL; the front door (lib/front) hands such requests to the JSON twin.
import type { UserSummary } from "@/lib/accounts";
import type { ActivitySummary, AssetView } from "@/lib/registry";
import type { SiteStats } from "@/lib/site";

/** One keyset page of a list endpoint. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A failed API call, carrying the server's `{error, message}` when it sent one, and its per-field messages (`fields`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** React Query's retry rule for these fetchers: a 4xx will not change on retry (except 429). */
export function retryUnlessClientError(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) return false;
  return failureCount < 2;
}

/** GET `url` as JSON; a non-2xx answer throws ApiError. */
export async function getJson<T>(url: string): Promise<T> {
  return readAnswer<T>(await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" }));
}

/** POST a JSON body to `url` with the session cookie (same origin, so the CSRF check passes). */
export async function postJson<T>(url: string, body: unknown = {}): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  return readAnswer<T>(res);
}

async function readAnswer<T>(res: Response): Promise<T> {
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: unknown; message?: unknown; fields?: unknown } | null;
    const code = typeof body?.error === "string" ? body.error : "http_error";
    const message = typeof body?.message === "string" ? body.message : `The server answered ${res.status}.`;
    const fields =
      body?.fields && typeof body.fields === "object"
        ? Object.fromEntries(Object.entries(body.fields as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"))
        : {};
    throw new ApiError(res.status, code, message, fields);
  }
  return (await res.json()) as T;
}

/** `path?query`, leaving out empty parameters. */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

/** `GET /` as JSON: the home page's live counts. */
export function fetchSiteStats(): Promise<SiteStats> {
  return getJson<SiteStats>("/");
}

export interface AssetQuery {
  q?: string;
  type?: string;
  tag?: string;
  owner?: string;
  cursor?: string | null;
  limit?: number;
}

/** `GET /assets`: assets, newest first, filtered and keyset-paged. */
export function fetchAssets(query: AssetQuery): Promise<Page<AssetView>> {
  return getJson<Page<AssetView>>(withQuery("/assets", { ...query }));
}

export interface ActivityQuery {
  actor?: string;
  cursor?: string | null;
  limit?: number;
}

/** `GET /activities`: published activities, newest first, keyset-paged. */
export function fetchActivities(query: ActivityQuery): Promise<Page<ActivitySummary>> {
  return getJson<Page<ActivitySummary>>(withQuery("/activities", { ...query }));
}

/** `GET /users`: registered users, newest first, keyset-paged. */
export function fetchUsers(query: { cursor?: string | null; limit?: number }): Promise<Page<UserSummary>> {
  return getJson<Page<UserSummary>>(withQuery("/users", { ...query }));
}

/** What POST /assets answers: the asset as the API shows it. */
export interface RegisteredAsset {
  asset: AssetView;
}

/** POST /assets with the session cookie: registers a work under the signed-in user. */
export function registerAsset(input: {
  name: string;
  content_hash: string;
  asset_type: string;
  tags: string[];
  metadata?: Record<string, unknown>;
  url?: string;
}): Promise<RegisteredAsset> {
  return postJson<RegisteredAsset>("/assets", input);
}
