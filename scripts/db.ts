// Migrations without the Prisma CLI's Rust engine (notes/toolchain.md §1):
//   npm run db:migration -- <name>   diff prisma/schema.prisma against the committed migrations
//                                    (on an in-memory PGlite shadow) and write the next migration.sql
//   npm run db:deploy                apply committed migrations to $DATABASE_URL or the embedded database
//   npm run db:status                the migration history of that database
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { getConfig } from "../lib/config";
import { migrationFilters, migrationList, migrationsDir, openDatabase, withSchemaEngine } from "../lib/db";

const schemaPath = path.resolve("prisma/schema.prisma");

/** The SQL that brings the committed migrations up to schema.prisma, or null when nothing changed. */
export async function pendingSchemaSql(): Promise<string | null> {
  const shadow = new PGlite();
  try {
    return await withSchemaEngine(new PrismaPGlite(shadow), async (engine) => {
      const list = await migrationList();
      if (list.migrationDirectories.length) await engine.applyMigrations({ migrationsList: list, filters: migrationFilters });
      const files = [{ path: schemaPath, content: await readFile(schemaPath, "utf8") }];
      const result = await engine.diff({
        from: { tag: "schemaDatasource", files, configDir: path.dirname(schemaPath) },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: true,
        filters: migrationFilters,
      });
      return result.exitCode === 2 ? result.stdout : null;
    });
  } finally {
    await shadow.close();
  }
}

async function main() {
  const [cmd, name = "migration"] = process.argv.slice(2);
  if (cmd === "create") {
    const sql = await pendingSchemaSql();
    if (!sql) {
      console.log("No schema changes.");
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(migrationsDir(), `${stamp}_${name.replace(/\W+/g, "_")}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "migration.sql"), sql);
    const lock = path.join(migrationsDir(), "migration_lock.toml");
    if (!existsSync(lock)) await writeFile(lock, 'provider = "postgresql"\n');
    console.log("Created", path.relative(process.cwd(), dir));
  } else if (cmd === "deploy" || cmd === "status") {
    const config = getConfig();
    if (!config.databaseUrl) await mkdir(config.pgliteDir, { recursive: true });
    const db = await openDatabase({ url: config.databaseUrl, pgliteDir: config.pgliteDir, migrate: cmd === "deploy" });
    try {
      if (cmd === "status") {
        const rows = await db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
          SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY started_at`;
        const committed = (await migrationList()).migrationDirectories.map((d) => d.path);
        const applied = new Set(rows.filter((r) => r.finished_at).map((r) => r.migration_name));
        for (const m of committed) console.log(`${applied.has(m) ? "applied" : "pending"}  ${m}`);
      } else {
        console.log("Migrations are up to date on", config.databaseUrl ? "PostgreSQL" : config.pgliteDir);
      }
    } finally {
      await db.close();
    }
  } else {
    console.error("usage: tsx scripts/db.ts create <name> | deploy | status");
    process.exitCode = 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main()
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    })
    // The wasm engine leaves a ~10 s timer pending; without this the process lingers.
    .finally(() => setTimeout(() => process.exit(), 10).unref());
}
