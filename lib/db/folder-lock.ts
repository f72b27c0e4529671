// One process per embedded database folder. PGlite has no lock of its own: two processes on one
// folder both accept writes and one's are lost at the next start. The lock is the kernel's flock(2)
// on `<folder>.lock`, held by a small `flock` (util-linux) child whose standard input is a pipe from
// us: the kernel releases the lock when that child exits, and the child exits when the pipe closes,
// which is when we release it or when we die in any way (kill -9 included). No pid is trusted for
// liveness, so a stale lock after a crash, a container restart that reuses pid 1, or pid reuse in
// general cannot block or fool the next start; flock also works between containers sharing a volume.
// The file's text only names the holder, for the one line a refused opener prints.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Exit status of `flock --nonblock` when another process holds the lock. */
const CONFLICT_EXIT = 75;

/** Who holds a folder lock, as the holder wrote it into the lock file. */
export interface LockHolder {
  pid: number;
  command: string;
  startedAt: string;
  hostname: string;
}

/** Another process holds the embedded database: its message is the one line to print. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      `the embedded database ${folder} is in use by ${describeHolder(holder)}: stop that process first` +
        " (one process per ARTDAG_DATA on the embedded database; several need DATABASE_URL)",
    );
    this.name = "DatabaseLockedError";
  }
}

export interface FolderLock {
  /** The lock file, `<folder>.lock`. */
  file: string;
  /** Lets the next opener in; waits until the kernel has dropped the lock. */
  release(): Promise<void>;
}

function describeHolder(h: LockHolder | null): string {
  if (!h) return "another process (it has not named itself yet)";
  const where = h.hostname === os.hostname() ? "" : ` on host ${h.hostname}`;
  return `process ${h.pid}${where} (${h.command}, started ${h.startedAt})`;
}

export function lockFileOf(folder: string): string {
  return `${path.resolve(folder)}.lock`;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === "number" && typeof v.command === "string" && typeof v.startedAt === "string" && typeof v.hostname === "string") {
      return { pid: v.pid, command: v.command, startedAt: v.startedAt, hostname: v.hostname };
    }
  } catch {
    // empty (a holder between taking the lock and naming itself) or foreign text
  }
  return null;
}

/** What this process says about itself in the lock file. */
function ourselves(): LockHolder {
  const script = process.argv.slice(1, 3).map((a) => path.relative(process.cwd(), a) || a);
  return {
    pid: process.pid,
    command: [path.basename(process.argv0), ...script].join(" ").slice(0, 200),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
    hostname: os.hostname(),
  };
}

/** The holder named in a folder's lock file (for messages; says nothing about liveness). */
export async function readLockHolder(folder: string): Promise<LockHolder | null> {
  return parseHolder(await readFile(lockFileOf(folder), "utf8").catch(() => ""));
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

/** The holder's process is gone from this machine (its lock is being dropped by the kernel). */
function holderIsGone(h: LockHolder | null): boolean {
  if (!h) return true; // between taking the lock and naming itself, or releasing it
  if (h.hostname !== os.hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Takes the exclusive lock of an embedded database folder, or throws DatabaseLockedError naming the
 * process that holds it. A holder that just died (or has not named itself yet) is given a moment:
 * its lock goes as soon as its `flock` child notices; a live holder is never waited for.
 * @throws DatabaseLockedError, Error (no `flock`)
 */
export async function lockDatabaseFolder(folder: string): Promise<FolderLock> {
  for (let attempt = 0; ; attempt++) {
    const lock = await tryLock(folder);
    if (lock) return lock;
    const holder = await readLockHolder(folder);
    // Liveness only decides whether to look again: the kernel alone decides who holds the lock.
    if (attempt >= 40 || !holderIsGone(holder)) throw new DatabaseLockedError(path.resolve(folder), holder);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tryLock(folder: string): Promise<FolderLock | null> {
  const file = lockFileOf(folder);
  // detached: a Ctrl-C or SIGTERM to our process group must not drop the lock while we still close
  // the database; the child goes when our end of its stdin closes, and not before.
  const child = spawn("flock", ["--nonblock", "--conflict-exit-code", String(CONFLICT_EXIT), file, "sh", "-c", "echo locked && exec cat >/dev/null"], {
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const acquired = await new Promise<boolean>((resolve, reject) => {
    child.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === "ENOENT"
            ? "cannot lock the embedded database: the `flock` command (util-linux) is not installed"
            : `cannot lock the embedded database: ${err.message}`,
        ),
      ),
    );
    child.stdout!.setEncoding("utf8").once("data", () => resolve(true));
    child.once("exit", (code) => {
      if (code === CONFLICT_EXIT) resolve(false);
      else reject(new Error(`cannot lock the embedded database (${file}): ${stderr.trim() || `flock exited with ${code}`}`));
    });
  });
  if (!acquired) return null;
  child.removeAllListeners("exit");
  // The child must not keep a finished script alive; the lock still lasts as long as we do.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  try {
    await writeFile(file, JSON.stringify(ourselves()) + "\n", { mode: 0o600 });
  } catch (err) {
    child.stdin!.end();
    throw err;
  }
  let released: Promise<void> | undefined;
  return {
    file,
    release() {
      released ??= (async () => {
        // Unref'd while held; waiting for its exit must keep this process alive.
        child.ref();
        const exited = exitOf(child);
        // Clear our name while we still hold the lock, so it never names us after we are gone.
        await writeFile(file, "").catch(() => {});
        child.stdin!.end();
        await exited;
      })();
      return released;
    },
  };
}
