import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatabaseLockedError, lockDatabaseFolder, lockFileOf, readLockHolder } from "./folder-lock";
import { openDatabase } from ".";

const FIXTURE = path.resolve("lib/db/folder-lock-holder.fixture.ts");

let dir: string;
let folder: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "artdag-lock-"));
  folder = path.join(dir, "pglite");
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** Runs the fixture (another process taking the lock); resolves when it holds it or has exited. */
function holderProcess(): Promise<{ child: ChildProcess; pid: number; held: boolean; stderr: string; code: number | null }> {
  // node itself with tsx's loader (not the tsx wrapper, which runs a second process): the child is
  // the process that holds the lock, and killing it leaves nothing behind.
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, folder], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  return new Promise((resolve) => {
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      const m = /^held (\d+)/.exec(s);
      if (m) resolve({ child, pid: Number(m[1]), held: true, stderr, code: null });
    });
    child.once("close", (code) => resolve({ child, pid: 0, held: false, stderr, code }));
  });
}

async function refusal(promise: Promise<unknown>): Promise<DatabaseLockedError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatabaseLockedError);
  return err as DatabaseLockedError;
}

describe("the embedded database folder lock", () => {
  it("refuses a second opener with one line naming the holder's pid, command and start time; free again after release", async () => {
    const first = await lockDatabaseFolder(folder);
    const err = await refusal(lockDatabaseFolder(folder));
    expect(err.message).not.toContain("\n");
    expect(err.message).toContain(`the embedded database ${folder} is in use by process ${process.pid} (`);
    expect(err.message).toMatch(/started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/);
    expect(err.message).toContain("stop that process first");
    expect(err.holder).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    await first.release();
    expect(await readLockHolder(folder)).toBeNull(); // a released lock names nobody
    const second = await lockDatabaseFolder(folder);
    expect((await readLockHolder(folder))?.pid).toBe(process.pid);
    await second.release();
  });

  it("refuses while another process holds it, and is taken once that process was killed with SIGKILL", async () => {
    const holder = await holderProcess();
    expect(holder.held, holder.stderr).toBe(true);
    const err = await refusal(lockDatabaseFolder(folder));
    expect(holder.pid).toBe(holder.child.pid);
    expect(err.holder?.pid).toBe(holder.pid);
    expect(err.message).toContain(`process ${holder.pid} (node lib/db/folder-lock-holder.fixture.ts`);
    const exited = new Promise((r) => holder.child.once("exit", r));
    holder.child.kill("SIGKILL");
    await exited;
    // The dead holder's name is still in the file: it must not block.
    const lock = await lockDatabaseFolder(folder);
    expect((await readLockHolder(folder))?.pid).toBe(process.pid);
    await lock.release();
  });

  it("is not fooled by a lock file naming a dead pid, or our own pid with another start time (pid reuse, container restart)", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    const deadPid = dead.pid!;
    await new Promise((r) => dead.once("exit", r));
    const records = [
      { pid: deadPid, command: "node scripts/start.ts", startedAt: "2020-01-01T00:00:00Z", hostname: os.hostname() },
      { pid: process.pid, command: "node scripts/start.ts", startedAt: "2001-01-01T00:00:00Z", hostname: os.hostname() },
      { pid: 1, command: "node scripts/start.ts", startedAt: "2001-01-01T00:00:00Z", hostname: "old-container" },
    ];
    for (const record of records) {
      await writeFile(lockFileOf(folder), JSON.stringify(record));
      const lock = await lockDatabaseFolder(folder);
      const now = await readLockHolder(folder);
      expect(now?.pid).toBe(process.pid);
      expect(now?.startedAt).not.toBe(record.startedAt);
      await lock.release();
    }
  });

  it("lets exactly one of eight concurrent openers in this process win", async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockDatabaseFolder(folder)));
    const won = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseLockedError);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it("lets exactly one of four processes started at once win; the others exit with the refusal line", async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => holderProcess()));
    const winners = results.filter((r) => r.held);
    expect(winners).toHaveLength(1);
    const losers = results.filter((r) => !r.held);
    for (const l of losers) {
      expect(l.code).toBe(3);
      expect(l.stderr.trim()).toContain(`is in use by process ${winners[0].pid} (`);
      expect(l.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("lets a process that released it end by itself, after the release (nothing keeps it alive, nothing cuts it short)", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, folder, "release"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
    const code = await new Promise((r) => child.once("close", r));
    expect(code).toBe(0);
    expect(out).toBe(`held ${child.pid}\nreleased\n`);
    const lock = await lockDatabaseFolder(folder);
    await lock.release();
  });

  it("is taken by openDatabase on a folder: a second open is refused; after close the data is there for the next", async () => {
    const db = await openDatabase({ pgliteDir: folder });
    await db.prisma.user.create({ data: { username: "kept", passwordHash: "x" } });
    await refusal(openDatabase({ pgliteDir: folder }));
    // The refused opener changed nothing: the first still works.
    expect(await db.prisma.user.count()).toBe(1);
    await db.close();
    const again = await openDatabase({ pgliteDir: folder, migrate: false });
    expect(await again.prisma.user.findUnique({ where: { username: "kept" }, select: { username: true } })).toEqual({ username: "kept" });
    await again.close();
    expect(await readFile(lockFileOf(folder), "utf8")).toBe("");
  });
});
