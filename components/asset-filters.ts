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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Filters from URL parameters: trimmed, cut to the API's limits (never inside a surrogate pair),
 * an unknown type dropped. A value with NUL or a lone surrogate is no text anyone can search for
 * (and the database refuses NUL): it is dropped, as the API would refuse it.
 */
export function readAssetFilters<Type extends string>(get: (key: string) => string | null | undefined, assetTypes: readonly Type[]): AssetFilters<Type> {
  const text = (key: keyof typeof LIMITS) => {
    const value = (get(key) ?? "").trim();
    if (value.includes("\u0000") || LONE_SURROGATE.test(value)) return "";
    const cut = value.slice(0, LIMITS[key]);
    return LONE_SURROGATE.test(cut) ? cut.slice(0, -1) : cut;
  };
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
