// What every domain function is handed: configuration, the database, the job queue and the clock.
// Production builds one per process in lib/runtime; tests build their own with a fresh database,
// a recording queue and a fixed clock.
import type { Config } from "@/lib/config";
import type { Db, Prisma } from "@/lib/db";

/** Enqueues persisted jobs; handlers are registered in lib/jobs. */
export interface JobSender {
  /**
   * Enqueues `data` for the queue `name`. Given `tx`, the job commits (or rolls back) with that
   * transaction — the outbox pattern, so a job never exists for a change that did not happen.
   */
  send(name: string, data: object, options?: { tx?: Prisma.TransactionClient }): Promise<void>;
  /** Like `send` for many jobs of one queue, written in one statement (absent: one `send` each). */
  sendMany?(name: string, data: object[], options?: { tx?: Prisma.TransactionClient }): Promise<void>;
}

export interface AppContext {
  config: Config;
  prisma: Db;
  /** HS256 key for tokens (product.md §1: JWT_SECRET, the secrets file, or a generated one). */
  jwtSecret: Uint8Array;
  jobs: JobSender;
  now(): Date;
}
