import { defineConfig } from "prisma/config";

// The Prisma CLI insists on downloading the Rust schema engine unless this points at an existing
// file. generate/validate/format do not need it; migrations go through @prisma/schema-engine-wasm
// (scripts/db.ts, lib/db/migrate.ts), so no command of ours ever runs this "engine".
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "package.json";
process.env.CHECKPOINT_DISABLE ??= "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
