import type { NextConfig } from "next";

const nextConfig: NextConfig = {
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
};

export default nextConfig;
