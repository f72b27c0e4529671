import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createCspNonce, securityHeaders } from "./security-headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

describe("security headers", () => {
  it("refuses framing, sniffing and cross-origin referrers on every answer", () => {
    const h = securityHeaders();
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("same-origin");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(directives(h["content-security-policy"]).get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("limits scripts to this origin without eval, and objects, bases and frames to nothing", () => {
    const d = directives(contentSecurityPolicy());
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(d.get("script-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'none'"]);
    expect(d.get("frame-src")).toEqual(["'none'"]);
    expect(d.get("connect-src")).toEqual(["'self'"]);
    // Works are shown from their registered URLs: images and media from any web address, nothing else.
    expect(d.get("img-src")).toEqual(["'self'", "data:", "blob:", "https:", "http:"]);
    expect(d.get("media-src")).toEqual(["'self'", "https:", "http:"]);
    for (const [directive, values] of d) {
      expect(values).not.toContain("*");
      if (directive !== "img-src" && directive !== "media-src") expect(values, directive).not.toContain("https:");
      expect(values).not.toContain("'unsafe-eval'");
    }
  });

  it("with a nonce, drops 'unsafe-inline' for scripts, in the form Next reads the nonce from", () => {
    const nonce = createCspNonce();
    const policy = contentSecurityPolicy({ nonce });
    const d = directives(policy);
    expect(d.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    // next/dist/server/app-render/get-script-nonce-from-header.js: the first 'nonce-…' of script-src.
    const source = d.get("script-src")!.find((s) => /^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/.test(s));
    expect(source).toBe(`'nonce-${nonce}'`);
    expect(createCspNonce()).not.toBe(nonce);
  });

  it.each(["short", "abc'; script-src *", "a".repeat(20) + ";", "a b c d e f g h i j k l"])("refuses a nonce that is not plain base64: %s", (nonce) => {
    expect(() => contentSecurityPolicy({ nonce })).toThrow(TypeError);
  });

  it("allows eval and the hot-reload socket only under next dev", () => {
    const d = directives(contentSecurityPolicy({ dev: true }));
    expect(d.get("script-src")).toContain("'unsafe-eval'");
    expect(d.get("connect-src")).toEqual(["'self'", "ws:", "wss:"]);
  });

  it("draws a fresh 128-bit nonce every time, across the refills of its pool", () => {
    const nonces = Array.from({ length: 1000 }, () => createCspNonce());
    expect(new Set(nonces).size).toBe(1000);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});
