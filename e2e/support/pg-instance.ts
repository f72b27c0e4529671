// A PostgreSQL server of the test's own (Debian's initdb + pg_ctl in a temporary folder), for tests
// that stop, restart or crash the database: the machine's shared server on 5432 is never touched.
// PostgreSQL refuses to run as root, so when the tests run as root every command runs as the
// `postgres` user (runuser) on a folder it owns. Trust authentication, loopback only, a Unix socket
// in the instance's own folder.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const PG_ROOT = "/usr/lib/postgresql";

/** The newest Debian PostgreSQL `bin` folder that has initdb, pg_ctl and postgres, or null. */
export function postgresBinDir(): string | null {
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(PG_ROOT, v, "bin");
    if (["initdb", "pg_ctl", "postgres"].every((exe) => existsSync(path.join(bin, exe)))) return bin;
  }
  return null;
}

/** Why an instance cannot be made here (for test.skip), or null when it can. */
export function pgInstanceUnavailable(): string | null {
  if (!postgresBinDir()) return `no PostgreSQL server binaries under ${PG_ROOT}/*/bin (Debian package postgresql)`;
  if (process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0)
    return "running as root and there is no `postgres` user to run PostgreSQL as";
  return null;
}

export interface PgInstance {
  port: number;
  /** The instance's folder (data/, the log, the socket). */
  dir: string;
  /** `postgresql://postgres@127.0.0.1:PORT/DATABASE` */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /** `pg_ctl stop`: `fast` disconnects every client and shuts down cleanly; `immediate` is a crash. */
  stop(mode?: "fast" | "immediate"): void;
  /** `pg_ctl start`, waiting until it accepts connections. */
  start(): void;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this returns. */
  restart(): void;
  /** True while the server runs. */
  running(): boolean;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server (if running) and deletes its folder. */
  destroy(): void;
}

/** Instances still running: stopped if the test process exits without destroying them. */
const alive = new Set<PgInstance>();
process.once("exit", () => {
  for (const instance of alive) {
    try {
      instance.stop("immediate");
    } catch {
      // Exiting anyway: a leftover server is found and reported by the next start on that port.
    }
  }
});

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** The first free port of `ports` (a test's own range). */
export async function freePort(ports: number[]): Promise<number> {
  for (const port of ports) if (await portIsFree(port)) return port;
  throw new Error(`no free port among ${ports.join(", ")}`);
}

/**
 * Makes and starts a fresh PostgreSQL instance on 127.0.0.1:`port` (initdb in a new temporary
 * folder). fsync is off: the tests stop and crash PostgreSQL, never the machine, so the operating
 * system keeps every write either way, and the shared disk is spared.
 */
export async function startPgInstance(port: number): Promise<PgInstance> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(pgInstanceUnavailable() ?? "no PostgreSQL binaries");
  if (!(await portIsFree(port))) throw new Error(`port ${port} is in use (a PostgreSQL left over from an earlier run?)`);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), `artdag-pg-${port}-`));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }

  /** Runs a server binary (as `postgres` when we are root); throws with its output on failure. */
  function run(exe: string, args: string[]): string {
    const command = path.join(bin!, exe);
    const r = asRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", command, ...args], { encoding: "utf8", cwd: dir })
      : spawnSync(command, args, { encoding: "utf8", cwd: dir });
    if (r.status !== 0) {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(`${exe} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}\n${log}`);
    }
    return r.stdout;
  }

  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const options = [`-p ${port}`, "-c listen_addresses=127.0.0.1", `-k ${dir}`, "-c fsync=off", "-c max_connections=100"].join(" ");
  const ctl = (...args: string[]) => run("pg_ctl", ["-D", data, "-l", logFile, "-o", options, ...args]);
  let up = false;

  const instance: PgInstance = {
    port,
    dir,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: instance.url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    start() {
      ctl("start", "-w", "-t", "60");
      up = true;
    },
    stop(mode = "fast") {
      if (!up) return;
      ctl("stop", "-w", "-t", "60", "-m", mode);
      up = false;
    },
    restart() {
      ctl("restart", "-w", "-t", "60", "-m", "fast");
      up = true;
    },
    running: () => up,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    destroy() {
      try {
        instance.stop("immediate");
      } finally {
        alive.delete(instance);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  alive.add(instance);
  try {
    instance.start();
  } catch (err) {
    instance.destroy();
    throw err;
  }
  return instance;
}

/** One SQL statement on its own connection to `connectionString`; returns the rows. */
export async function query<R extends pg.QueryResultRow>(connectionString: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
