import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { securityHeaders } from "./lib/http/security-headers";

export default function nextConfig(phase: string): NextConfig {
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
    ],
    poweredByHeader: false,
    reactStrictMode: true,
    // Every answer (pages, JSON, files, redirects, errors): no framing, no sniffing, no referrer to
    // other origins, and a script/style policy (lib/http/security-headers.ts). A front server that
    // sets them per request with a nonce should drop this.
    async headers() {
      const headers = Object.entries(securityHeaders({ dev: phase === PHASE_DEVELOPMENT_SERVER })).map(([key, value]) => ({ key, value }));
      return [{ source: "/:path*", headers }];
    },
  };
}
