// SIGTERM drains (issue #12, item 10): the server stops accepting connections, lets a request that
// is in flight finish with its real answer, then stops the job queue and the database, logging
// "stopping" and "stopped", and exits 0. The in-flight request is a registration whose body is
// still being sent when the signal arrives.
import http from "node:http";
import net from "node:net";
import { expect, test } from "@playwright/test";
import { PASSWORD, uniqueUsername } from "./support/api";
import { logEntries, logMessages } from "./support/logs";
import { DRAINED } from "./support/servers";
import { startServer, wipeDataDir } from "./support/spawn";

interface Answer {
  status: number;
  text: string;
}

test("SIGTERM lets an in-flight request finish, refuses new connections, and logs stopping / stopped", async () => {
  test.setTimeout(120_000);
  wipeDataDir(DRAINED);
  const server = await startServer(DRAINED, { SHUTDOWN_TIMEOUT_SECONDS: "20" });
  const username = uniqueUsername("drain");
  const body = JSON.stringify({ username, password: PASSWORD });

  // Half the body now, the rest after SIGTERM.
  const req = http.request({
    host: "localhost",
    port: DRAINED.port,
    method: "POST",
    path: "/auth/register",
    headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
  });
  await new Promise((resolve) => req.write(body.slice(0, 10), resolve));
  // Let the request's head reach the server: the drain must find it in flight.
  await new Promise((r) => setTimeout(r, 300));

  const stopped = server.stop();
  await expect.poll(() => server.output(), { timeout: 20_000 }).toContain("stopping (SIGTERM): 1 request(s) in flight");

  // No new connection is accepted while draining.
  const connect = await new Promise<string>((resolve) => {
    const s = net.connect(DRAINED.port, "localhost");
    s.once("connect", () => (s.destroy(), resolve("connected")));
    s.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
  });
  expect(connect).toBe("ECONNREFUSED");

  req.end(body.slice(10));
  const finished = await answer;
  expect(finished.status, finished.text).toBe(201);
  expect(JSON.parse(finished.text)).toMatchObject({ username, token_type: "bearer" });

  const exit = await stopped;
  expect(exit).toEqual({ code: 0, signal: null });
  const log = logMessages(server.output(), "server");
  expect(log.at(-1)).toBe("stopped");
  expect(log.findIndex((m) => m.startsWith("stopping (SIGTERM)"))).toBeLessThan(log.indexOf("stopped"));
  expect(log.join("\n")).not.toContain("cut off");

  // The registration acknowledged during the drain is there after a restart.
  const again = await startServer(DRAINED);
  try {
    const res = await fetch(`${DRAINED.url}/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(res.status).toBe(200);
  } finally {
    await again.stop();
  }
});

test("a request that outlives SHUTDOWN_TIMEOUT_SECONDS is cut off and the server still stops", async () => {
  test.setTimeout(120_000);
  wipeDataDir(DRAINED);
  const server = await startServer(DRAINED, { SHUTDOWN_TIMEOUT_SECONDS: "1" });
  const req = http.request({
    host: "localhost",
    port: DRAINED.port,
    method: "POST",
    path: "/auth/login",
    headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
  });
  const outcome = new Promise<string>((resolve) => {
    req.on("response", (res) => resolve(`answered ${res.statusCode}`));
    req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
  });
  req.write("{");
  await new Promise((r) => setTimeout(r, 200));
  const exit = await server.stop();
  expect(exit).toEqual({ code: 0, signal: null });
  expect(await outcome).toBe("ECONNRESET");
  expect(logEntries(server.output())).toContainEqual(
    expect.objectContaining({ level: "warn", msg: "1 request(s) did not finish in time and were cut off", cutOff: 1 }),
  );
  expect(logMessages(server.output(), "server").at(-1)).toBe("stopped");
});
