import { describe, expect, it } from "vitest";
import { pendingSchemaSql } from "../../scripts/db";
import { databaseKinds, openTestDatabase } from "@/lib/testing";
import { applyMigrations, isUniqueViolation, migrationList } from ".";
import { PrismaPGlite } from "pglite-prisma-adapter";

describe("migrations", () => {
  it("are up to date with prisma/schema.prisma (run `npm run db:migration -- <name>` after a schema change)", async () => {
    expect(await pendingSchemaSql()).toBeNull();
  });

  it("are committed SQL with a lock file", async () => {
    const list = await migrationList();
    expect(list.lockfile.content).toContain('provider = "postgresql"');
    expect(list.migrationDirectories.length).toBeGreaterThan(0);
  });
});

describe.each(databaseKinds)("the database on %s", (kind) => {
  it("applies every migration once, and again is a no-op", async () => {
    const { db, drop } = await openTestDatabase(kind);
    try {
      const rows = await db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
        SELECT migration_name, finished_at FROM _prisma_migrations`;
      const committed = (await migrationList()).migrationDirectories.map((d) => d.path);
      expect(rows.map((r) => r.migration_name).sort()).toEqual(committed);
      expect(rows.every((r) => r.finished_at)).toBe(true);
      if (db.pglite) expect(await applyMigrations(new PrismaPGlite(db.pglite))).toEqual([]);
    } finally {
      await drop();
    }
  });

  it("reports a unique violation as P2002 and rolls a failed transaction back", async () => {
    const { db, drop } = await openTestDatabase(kind);
    try {
      await db.prisma.user.create({ data: { username: "u1", passwordHash: "x" } });
      const err = await db.prisma.user.create({ data: { username: "u1", passwordHash: "y" } }).catch((e: unknown) => e);
      expect(isUniqueViolation(err)).toBe(true);
      const raw = await db.prisma.$queryRaw`INSERT INTO users (username, password_hash) VALUES ('u1', 'z') RETURNING username`.catch((e: unknown) => e);
      expect(isUniqueViolation(raw)).toBe(true);
      expect(isUniqueViolation(await db.prisma.$queryRaw`SELECT 1/0`.catch((e: unknown) => e))).toBe(false);
      await db.prisma
        .$transaction(async (tx) => {
          await tx.user.create({ data: { username: "u2", passwordHash: "x" } });
          throw new Error("abort");
        })
        .catch(() => {});
      expect(await db.prisma.user.count({ where: { username: "u2" } })).toBe(0);
    } finally {
      await drop();
    }
  });
});
