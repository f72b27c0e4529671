// The independent reference of `npm run bench`'s "public documents" table: a Fedify 2.3.6 server in
// its own process (like ours and the bare server), serving one actor (Person, RSA + Ed25519 keys),
// its WebFinger, and an inbox (personal and shared) with signature verification on, through
// node:http → `federation.fetch(request)`, the way a Node deployment of Fedify runs. Its inbox
// listeners (Like, Follow, Create) keep each activity received in its in-memory KV store and count
// them per inbox (`{ counts: true }` over IPC answers `{ counts: { personal, shared } }`): the
// effect the bench checks after loading it (scripts/bench/inbox.ts). It reports its port over IPC
// and serves until it is told to stop.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from "@fedify/fedify";
import { Create, Endpoints, Follow, Like, Person, type Activity } from "@fedify/vocab";

const USER = "bench";

async function main() {
  const keys = [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), await generateCryptoKeyPair("Ed25519")];
  const kv = new MemoryKvStore();
  const federation = createFederation<void>({ kv, allowPrivateAddress: true });
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== USER) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: identifier,
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pairs[0].cryptographicKey,
        assertionMethods: pairs.map((p) => p.multikey),
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === USER ? keys : []));
  // What an application's listener would do at the least: keep the activity (here in the same
  // in-memory KV store Fedify uses for its caches and de-duplication), counted per inbox.
  const counts = { personal: 0, shared: 0 };
  const keep = async (ctx: { recipient: string | null }, activity: Activity) => {
    if (!activity.id) return;
    await kv.set(["bench", "inbox", ctx.recipient ?? "", activity.id.href], { type: activity.constructor.name, actor: activity.actorId?.href ?? null });
    counts[ctx.recipient === null ? "shared" : "personal"]++;
  };
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Like, keep).on(Follow, keep).on(Create, keep);

  let origin = "";
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer((req, res) => {
    (async () => {
      const method = req.method ?? "GET";
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      const body = method === "GET" || method === "HEAD" ? null : new Uint8Array(await readBody(req));
      const response = await federation.fetch(new Request(new URL(req.url ?? "/", origin), { method, headers, body }), { contextData: undefined });
      const out = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(out);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  process.send?.({ port, user: USER });
  process.on("message", (m: { counts?: true }) => {
    if (m.counts) process.send?.({ counts });
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
