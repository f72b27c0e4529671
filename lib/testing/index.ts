// Test support: a fresh database per test file, on PGlite and — when TEST_DATABASE_URL is set — on
// a real PostgreSQL server, plus a context with a controllable clock. Only tests import this.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig, testDatabaseUrl, type Config, type Env } from "@/lib/config";
import type { AppContext } from "@/lib/context";
import { openDatabase, type Database } from "@/lib/db";
import { AppError } from "@/lib/errors";

export type DatabaseKind = "pglite" | "postgres";

/** The databases the suite runs on here: always PGlite, PostgreSQL too when TEST_DATABASE_URL is set. */
export const databaseKinds: DatabaseKind[] = testDatabaseUrl() ? ["pglite", "postgres"] : ["pglite"];

export interface SentJob {
  name: string;
  data: object;
  /** Whether it was sent inside a transaction (and so commits with it). */
  inTransaction: boolean;
}

export interface TestContext {
  ctx: AppContext;
  /** Jobs sent through ctx.jobs (a recording queue: nothing runs them). */
  sentJobs: SentJob[];
  db: Database;
  config: Config;
  dataDir: string;
  /** Moves the context's clock. */
  setNow(date: Date): void;
  close(): Promise<void>;
}

/** A fresh, migrated database of the given kind (PostgreSQL: a new database on the test server). */
export async function openTestDatabase(kind: DatabaseKind): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const db = await openDatabase({ pgliteDir: null });
    return { db, drop: () => db.close() };
  }
  const base = testDatabaseUrl();
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `artdag_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), maxConnections: 5 });
  return {
    db,
    async drop() {
      await db.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A context on a fresh database, a temporary data folder and a clock the test controls. */
export async function createTestContext(kind: DatabaseKind, env: Env = {}): Promise<TestContext> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "artdag-test-"));
  const config = loadConfig({
    ARTDAG_DOMAIN: "l2.test",
    ARTDAG_SCHEME: "https",
    ARTDAG_DATA: dataDir,
    L1_SERVERS: "https://l1-a.test,https://l1-b.test",
    RATE_LIMIT_LOGIN: "1000/60",
    RATE_LIMIT_REGISTER: "1000/60",
    RATE_LIMIT_ANCHOR: "1000/60",
    ...env,
  });
  const { db, drop } = await openTestDatabase(kind);
  let now = new Date();
  const sentJobs: SentJob[] = [];
  const ctx: AppContext = {
    config,
    prisma: db.prisma,
    jwtSecret: new TextEncoder().encode(randomBytes(32).toString("hex")),
    jobs: {
      async send(name, data, options = {}) {
        sentJobs.push({ name, data, inTransaction: options.tx !== undefined });
      },
      async sendMany(name, data, options = {}) {
        for (const d of data) sentJobs.push({ name, data: d, inTransaction: options.tx !== undefined });
      },
    },
    now: () => now,
  };
  return {
    ctx,
    sentJobs,
    db,
    config,
    dataDir,
    setNow(date) {
      now = date;
    },
    async close() {
      await drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Awaits a promise that must reject with an AppError, and returns that error. */
export async function rejectsWithAppError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
}
export { captureLogs, type CapturedLogs } from "./logs";
