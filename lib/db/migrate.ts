// Applies the committed SQL migrations in prisma/migrations through @prisma/schema-engine-wasm, on
// PGlite or PostgreSQL alike. The Prisma CLI's migrate needs a Rust engine that cannot be downloaded
// here (notes/toolchain.md §1); the wasm engine writes the same `_prisma_migrations` table.
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";

type Glue = typeof import("@prisma/schema-engine-wasm/schema_engine_bg") & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

export const migrationFilters = { externalTables: [], externalEnums: [] };

let gluePromise: Promise<Glue> | undefined;

async function loadGlue(): Promise<Glue> {
  const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Glue;
  // Resolved from the project root at run time: inside a bundle require.resolve returns a module id.
  const req = createRequire(path.join(process.cwd(), "package.json"));
  const bg = req.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bytes = await readFile(path.join(path.dirname(bg), "schema_engine_bg.wasm"));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return glue;
}

/** Runs `fn` with a schema engine bound to the adapter factory, freeing it afterwards. */
export async function withSchemaEngine<T>(factory: SqlMigrationAwareDriverAdapterFactory, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  gluePromise ??= loadGlue();
  const glue = await gluePromise;
  const engine = await glue.SchemaEngine.new({ datamodels: undefined }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}

export function migrationsDir(): string {
  return path.join(process.cwd(), "prisma", "migrations");
}

/** The committed migrations in the shape the engine expects. */
export async function migrationList(dir = migrationsDir()) {
  const lock = path.join(dir, "migration_lock.toml");
  // turbopackIgnore: the migrations folder is read at run time, not traced into the build.
  const names = existsSync(/*turbopackIgnore: true*/ dir)
    ? (await readdir(/*turbopackIgnore: true*/ dir, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    shadowDbInitScript: "",
    lockfile: {
      path: "migration_lock.toml",
      content: existsSync(lock) ? await readFile(lock, "utf8") : null,
    },
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: { tag: "ok" as const, value: await readFile(path.join(dir, name, "migration.sql"), "utf8") },
        },
      })),
    ),
  };
}

/** Applies every committed migration not yet applied; returns the names it applied. */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const migrationsList = await migrationList();
  return withSchemaEngine(factory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: migrationFilters });
    return out.appliedMigrationNames;
  });
}
