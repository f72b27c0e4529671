// Bodies of any size on any path (issue #12, item 6): over 1 MiB → 413 JSON from the front door
// before anything is buffered, whether the size is declared (Content-Length) or not (chunked), on
// API routes, ActivityPub inboxes, the auth library's endpoints and server-action pages alike; and
// nothing is written. The client stops sending once the answer has come, as curl does.
import http from "node:http";
import { expect, test } from "@playwright/test";
import { MAIN } from "./support/servers";

const MiB = 1024 * 1024;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** POSTs `size` bytes of JSON-ish filler, declared or chunked, stopping at the first answer. */
function post(path: string, size: number, mode: "declared" | "chunked", headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: "localhost",
        port: MAIN.port,
        method: "POST",
        path,
        agent: false,
        headers: {
          "content-type": "application/json",
          ...(mode === "declared" ? { "content-length": String(size) } : { "transfer-encoding": "chunked" }),
          ...headers,
        },
      },
      (res) => {
        answered = true;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on("error", reject);
      },
    );
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const chunk = Buffer.alloc(256 * 1024, 32);
    let sent = 0;
    const next = () => {
      if (answered || req.destroyed) return;
      if (sent >= size) return void req.end();
      const piece = size - sent >= chunk.byteLength ? chunk : chunk.subarray(0, size - sent);
      sent += piece.byteLength;
      req.write(piece, () => setImmediate(next));
    };
    next();
  });
}

async function assetCount(): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${MAIN.url}/assets?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: { accept: "application/json" } });
    const page = (await res.json()) as { items: unknown[]; next_cursor: string | null };
    count += page.items.length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}

const PATHS: [string, Record<string, string>][] = [
  ["/assets", {}],
  ["/assets/record-run", {}],
  ["/auth/register", {}],
  ["/auth/login", {}],
  ["/auth/verify", {}],
  ["/auth/client-keys", {}],
  ["/inbox", { "content-type": "application/activity+json" }],
  ["/users/giles/inbox", { "content-type": "application/activity+json" }],
  ["/users/giles/outbox", { "content-type": "application/activity+json" }],
  ["/renderers/attach", {}],
  ["/anchors", {}],
  ["/api/auth/callback/credentials", { "content-type": "application/x-www-form-urlencoded" }],
  // A server action post to a page (Next reads these bodies itself).
  ["/login", { "next-action": "0000000000000000000000000000000000000000", "content-type": "multipart/form-data; boundary=x" }],
  ["/no/such/path", {}],
];

for (const size of [MiB + 1, 10 * MiB, 100 * MiB]) {
  for (const mode of ["declared", "chunked"] as const) {
    test(`${size} bytes, ${mode}: 413 payload_too_large on every path, nothing written`, async () => {
      test.setTimeout(120_000);
      const before = await assetCount();
      for (const [path, headers] of PATHS) {
        const answer = await post(path, size, mode, headers);
        expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBe(413);
        expect(answer.headers["content-type"], path).toMatch(/^application\/json\b/);
        expect(JSON.parse(answer.text), path).toEqual({ error: "payload_too_large", message: `The request body is larger than ${MiB} bytes.` });
      }
      expect(await assetCount()).toBe(before);
    });
  }
}

test("exactly 1 MiB is not refused for its size (it reaches the route, which judges the content)", async () => {
  const answer = await post("/assets", MiB, "declared");
  expect([400, 401], answer.text.slice(0, 200)).toContain(answer.status);
  expect(JSON.parse(answer.text)).toMatchObject({ error: expect.stringMatching(/^(malformed_json|invalid_request|unauthorized)$/) });
});
