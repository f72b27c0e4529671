// The floor of `npm run bench`'s "public documents" table: a bare node:http server answering fixed
// documents (the exact bytes and headers our server answered, captured by the bench) for fixed
// request targets, in its own process. It receives its documents over IPC and reports its port back.
import http from "node:http";
import type { AddressInfo } from "node:net";

interface Document {
  /** Path and query, exactly as requested. */
  target: string;
  /** Sent only when the request's Accept-Encoding lists gzip, else `body`. */
  gzip?: string;
  body: string;
  headers: Record<string, string>;
}

process.once("message", (docs: Document[]) => {
  const byTarget = new Map(
    docs.map((d) => [d.target, { body: Buffer.from(d.body, "base64"), gzip: d.gzip ? Buffer.from(d.gzip, "base64") : null, headers: d.headers }]),
  );
  const server = http.createServer((req, res) => {
    const doc = req.method === "GET" ? byTarget.get(req.url ?? "") : undefined;
    if (!doc) {
      res.writeHead(404).end();
      return;
    }
    const gzip = doc.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const bytes = gzip ? doc.gzip! : doc.body;
    res.writeHead(200, { ...doc.headers, ...(gzip ? { "content-encoding": "gzip" } : {}), "content-length": bytes.length });
    res.end(bytes);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop);
});
