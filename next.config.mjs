// Next's configuration, as plain JavaScript: nothing to compile when the server starts, and no
// TypeScript needed in the image. Its type is given to editors by the JSDoc annotation.

/** @returns {import("next").NextConfig} */
export default function nextConfig() {
  return {
    // Native, wasm and file-system-heavy packages stay outside the bundle (notes/toolchain.md §2).
    serverExternalPackages: [
      "@prisma/schema-engine-wasm",
      "@electric-sql/pglite",
      "pglite-prisma-adapter",
      "pg",
      "@prisma/adapter-pg",
      "pg-boss",
      "argon2",
      // One module instance for the front door (scripts/start.ts) and the app: one registry.
      "prom-client",
    ],
    poweredByHeader: false,
    // No gzip inside Next: it costs a third of a request's time, even on 60-byte answers that grow.
    // The front door's cache keeps a gzip copy of each public document (lib/front/cache); behind a
    // reverse proxy, the proxy compresses (design/serving.md §4).
    compress: false,
    reactStrictMode: true,
    // The security headers (CSP with a per-request script nonce, nosniff, Referrer-Policy, no framing)
    // are set by the front door on every answer (lib/front, lib/http/security-headers.ts).
  };
}
