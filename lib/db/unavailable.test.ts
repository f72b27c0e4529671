// "The database cannot be reached" is told apart from every other database error, with real
// failures: a port nothing listens on, a server that accepts and never answers, one that hangs up
// at once, and a PostgreSQL proxy cut mid-session; and it answers 503 database_unavailable (not a
// 500) through the one error mapper. Ordinary errors (a unique violation, bad SQL) stay what they were.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { handleRoute } from "@/lib/http";
import { testDatabaseUrl } from "@/lib/config";
import { databaseKinds, openTestDatabase } from "@/lib/testing";
import { postgresBossDb } from "@/lib/jobs";
import { isDatabaseUnavailable, openDatabase } from ".";

/** A TCP server on loopback that does `onConnection` with every socket (never a PostgreSQL). */
async function tcpServer(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A free port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = await tcpServer(() => {});
  await probe.close();
  return probe.port;
}

/** What the error mapper answers for `err` thrown by a route. */
async function answerFor(err: unknown): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const route = handleRoute(async () => {
    throw err;
  });
  const res = await route(new Request("https://l2.test/x"), { params: Promise.resolve({}) });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get("retry-after") };
}

async function expect503(err: unknown) {
  expect(isDatabaseUnavailable(err), String(err)).toBe(true);
  const answer = await answerFor(err);
  expect(answer).toEqual({
    status: 503,
    body: { error: "database_unavailable", message: expect.stringContaining("database is unavailable") },
    retryAfter: "5",
  });
}

describe("an unreachable PostgreSQL", () => {
  it("nothing listening: Prisma's query fails fast and answers 503", async () => {
    const db = await openDatabase({ url: `postgresql://postgres@127.0.0.1:${await closedPort()}/x`, migrate: false });
    try {
      await expect503(await db.prisma.user.count().catch((e: unknown) => e));
      await expect503(await db.prisma.$transaction(async (tx) => tx.user.count()).catch((e: unknown) => e));
    } finally {
      await db.close();
    }
  });

  it("a server that accepts and never answers: the pool gives up after its connection timeout, 503", async () => {
    const silent = await tcpServer(() => {});
    const db = await openDatabase({ url: `postgresql://postgres@127.0.0.1:${silent.port}/x`, migrate: false, connectTimeoutMs: 300 });
    try {
      await expect503(await db.prisma.user.count().catch((e: unknown) => e));
    } finally {
      await db.close();
      await silent.close();
    }
  });

  it("a server that hangs up at once: 503", async () => {
    const rude = await tcpServer((socket) => socket.destroy());
    const db = await openDatabase({ url: `postgresql://postgres@127.0.0.1:${rude.port}/x`, migrate: false });
    try {
      await expect503(await db.prisma.user.count().catch((e: unknown) => e));
      const raw = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${rude.port}/x` });
      await expect503(await raw.connect().catch((e: unknown) => e));
    } finally {
      await db.close();
      await rude.close();
    }
  });

  it("(control) other failures are not 'unavailable': plain errors, a missing table, nothing at all", () => {
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable({ code: "P2002" })).toBe(false);
    expect(isDatabaseUnavailable({ code: "42P01", message: 'relation "x" does not exist' })).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable("Connection terminated")).toBe(false);
  });
});

describe.each(databaseKinds)("ordinary database errors on %s stay what they are", (kind) => {
  it("a unique violation and bad SQL are not 'unavailable'", async () => {
    const { db, drop } = await openTestDatabase(kind);
    try {
      await db.prisma.user.create({ data: { username: "dup", passwordHash: "x" } });
      const unique = await db.prisma.user.create({ data: { username: "dup", passwordHash: "y" } }).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(unique)).toBe(false);
      const bad = await db.prisma.$queryRawUnsafe("SELECT * FROM no_such_table").catch((e: unknown) => e);
      expect(isDatabaseUnavailable(bad)).toBe(false);
      expect((await answerFor(bad)).status).toBe(500);
    } finally {
      await drop();
    }
  });
});

describe.skipIf(!testDatabaseUrl())("PostgreSQL cut mid-session, through a loopback proxy", () => {
  // A TCP proxy in front of TEST_DATABASE_URL's server that the test can cut and restore: what a
  // restart looks like to the app, without touching the shared server.
  let proxy: { port: number; close(): Promise<void> };
  let up = true;
  const links = new Set<net.Socket>();
  beforeAll(async () => {
    const target = new URL(testDatabaseUrl()!);
    proxy = await tcpServer((client) => {
      if (!up) return void client.destroy();
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
      links.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
    });
  });
  afterAll(async () => {
    for (const s of links) s.destroy();
    await proxy?.close();
  });
  const cut = () => {
    up = false;
    for (const s of links) s.destroy();
    links.clear();
  };

  function proxiedUrl(): string {
    const url = new URL(testDatabaseUrl()!);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    return url.toString();
  }

  it("Prisma: 503 while cut, and the same client works again once the proxy is back", async () => {
    up = true;
    const db = await openDatabase({ url: proxiedUrl(), migrate: false });
    try {
      expect(await db.prisma.$queryRawUnsafe<{ one: number }[]>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      cut();
      await expect503(await db.prisma.$queryRawUnsafe("SELECT 1 AS one").catch((e: unknown) => e));
      await expect503(await db.prisma.$queryRawUnsafe("SELECT 1 AS one").catch((e: unknown) => e));
      up = true;
      expect(await db.prisma.$queryRawUnsafe<{ one: number }[]>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("the job queue's connection retries a statement through the cut and succeeds once the server is back", async () => {
    up = true;
    const pool = new pg.Pool({ connectionString: proxiedUrl(), max: 2, connectionTimeoutMillis: 1_000 });
    pool.on("error", () => {});
    try {
      const bossDb = postgresBossDb(pool, { stopping: () => false, retryForMs: 30_000 });
      expect((await bossDb.executeSql("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      cut();
      const pending = bossDb.executeSql("SELECT 2 AS two");
      await new Promise((r) => setTimeout(r, 1_500));
      up = true;
      expect((await pending).rows).toEqual([{ two: 2 }]);

      // Stopping ends the retries at once, and a real SQL error is never retried.
      cut();
      const stopped = postgresBossDb(pool, { stopping: () => true });
      expect(isDatabaseUnavailable(await stopped.executeSql("SELECT 3").catch((e: unknown) => e))).toBe(true);
      up = true;
      const bad = await bossDb.executeSql("SELECT * FROM no_such_table").catch((e: unknown) => e);
      expect((bad as { code?: string }).code).toBe("42P01");
    } finally {
      await pool.end();
    }
  });
});
