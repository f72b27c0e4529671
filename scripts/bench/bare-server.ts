// The baseline for `npm run bench`: a bare node:http server answering GET /auth/me with a fixed body
// (captured by the bench from our real server). Run as a child process of scripts/bench.ts, so it gets
// its own event loop like our server does; it receives its body over IPC and reports its port back.
import http from "node:http";
import type { AddressInfo } from "node:net";

interface Setup {
  body: string;
  contentType: string;
  token: string;
}

process.once("message", (msg: Setup) => {
  const body = Buffer.from(msg.body);
  const expected = `Bearer ${msg.token}`;
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/auth/me") {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
        return;
      }
      res.writeHead(200, {
        "content-type": msg.contentType,
        "content-length": body.length,
        "cache-control": "no-store",
      });
      res.end(body);
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop);
});
