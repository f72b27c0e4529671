// The caching headers of public documents: a strong ETag of the exact bytes, the stated max-age,
// Last-Modified, Vary, the cache tags, and 304 on a matching conditional GET.
import { describe, expect, it } from "vitest";
import { CACHE_TAGS_HEADER, isNotModified, publicDocument, publicJson, strongEtag } from "./index";

const req = (headers: Record<string, string> = {}, method = "GET") => new Request("http://x/doc", { method, headers });

describe("publicJson", () => {
  it("says public for a stated time, with a strong ETag of the exact bytes, Vary and the tags", async () => {
    const modified = new Date("2026-01-02T03:04:05.678Z");
    const res = publicJson({ a: 1 }, { req: req(), maxAge: 60, lastModified: modified, vary: "Accept", tags: ["user:alice", "nodeinfo"] });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"a":1}');
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.headers.get("etag")).toBe(strongEtag('{"a":1}'));
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get("last-modified")).toBe("Fri, 02 Jan 2026 03:04:05 GMT");
    expect(res.headers.get("vary")).toBe("Accept");
    expect(res.headers.get(CACHE_TAGS_HEADER)).toBe("user:alice nodeinfo");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("gives different bytes different ETags, and the same bytes the same", () => {
    expect(strongEtag("a")).toBe(strongEtag(new TextEncoder().encode("a")));
    expect(strongEtag("a")).not.toBe(strongEtag("b"));
  });

  it("answers 304 without a body to a matching If-None-Match (weak comparison, lists, *)", async () => {
    const etag = strongEtag('{"a":1}');
    for (const value of [etag, `W/${etag}`, `"x", ${etag}`, "*"]) {
      const res = publicJson({ a: 1 }, { req: req({ "if-none-match": value }), maxAge: 60 });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    }
    expect(publicJson({ a: 1 }, { req: req({ "if-none-match": '"other"' }), maxAge: 60 }).status).toBe(200);
  });

  it("answers 304 to If-Modified-Since at or after Last-Modified (second precision), unless If-None-Match differs", () => {
    const lastModified = new Date("2026-01-02T03:04:05.678Z");
    const at = (since: string, extra: Record<string, string> = {}) =>
      publicJson({ a: 1 }, { req: req({ "if-modified-since": since, ...extra }), maxAge: 60, lastModified }).status;
    expect(at("Fri, 02 Jan 2026 03:04:05 GMT")).toBe(304);
    expect(at("Fri, 02 Jan 2026 03:04:04 GMT")).toBe(200);
    expect(at("not a date")).toBe(200);
    expect(at("Fri, 02 Jan 2026 03:04:05 GMT", { "if-none-match": '"other"' })).toBe(200);
    expect(isNotModified(new Headers({ "if-modified-since": "Fri, 02 Jan 2026 03:04:05 GMT" }), '"e"', null)).toBe(false);
  });

  it("serves stored bytes unchanged (publicDocument)", async () => {
    const bytes = '{ "kept":  "as signed" }';
    const res = publicDocument(bytes, { req: req(), maxAge: 30, contentType: "application/activity+json; charset=utf-8" });
    expect(await res.text()).toBe(bytes);
    expect(res.headers.get("etag")).toBe(strongEtag(bytes));
    expect(res.headers.get("content-type")).toBe("application/activity+json; charset=utf-8");
  });
});
