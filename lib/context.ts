// What every domain function is handed: configuration, the database and the clock. Production
// builds one per process in lib/runtime; tests build their own with a fresh database and a fixed clock.
import type { Config } from "@/lib/config";
import type { Db } from "@/lib/db";

export interface AppContext {
  config: Config;
  prisma: Db;
  /** HS256 key for tokens (product.md §1: JWT_SECRET, the secrets file, or a generated one). */
  jwtSecret: Uint8Array;
  now(): Date;
}
