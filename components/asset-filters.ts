// The asset browser's filters as they travel in a URL (?q=&type=&tag=&owner=), read the same way by
// the server page (for the first page) and by the browser (as the user changes them).

export interface AssetFilters<Type extends string = string> {
  q: string;
  /** One of the asset types, or "" for all. */
  type: Type | "";
  tag: string;
  owner: string;
}

export const ASSET_PAGE_SIZE = 20;

const LIMITS = { q: 200, tag: 64, owner: 32 } as const;

/** Filters from URL parameters: trimmed, cut to the API's limits, an unknown type dropped. */
export function readAssetFilters<Type extends string>(
  get: (key: string) => string | null | undefined,
  assetTypes: readonly Type[],
): AssetFilters<Type> {
  const text = (key: keyof typeof LIMITS) => (get(key) ?? "").trim().slice(0, LIMITS[key]);
  const type = assetTypes.find((t) => t === get("type")) ?? "";
  return { q: text("q"), type, tag: text("tag"), owner: text("owner") };
}

/** Reads one value of a page's `searchParams` (the first when repeated). */
export function firstParam(params: Record<string, string | string[] | undefined>, key: string): string | undefined {
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

export function sameFilters(a: AssetFilters, b: AssetFilters): boolean {
  return a.q === b.q && a.type === b.type && a.tag === b.tag && a.owner === b.owner;
}
