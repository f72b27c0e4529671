// A scriptable ActivityPub peer for tests: a real node:http server on 127.0.0.1 that serves the
// JSON documents (actors, keys) and redirects a test puts at its paths, takes every POST (202), and
// records every request it gets. Hostile peers are made of it: a key document claiming someone else's actor, an actor
// document whose id is not its URL, a redirect to another origin. Node built-ins only, so the unit
// tests and the e2e suite (relative import) share it.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type PeerRoute = { json: unknown; status?: number } | { redirect: string; status?: number };

export interface PeerRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface ApPeer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Serves `route` at `path` (replacing what was there); `json` is sent as application/activity+json. */
  serve(path: string, route: PeerRoute): void;
  /** Stops serving `path` (404 from then on). */
  remove(path: string): void;
  /** Every request so far, in order. */
  requests: PeerRequest[];
  /** How many GETs asked for `path`. */
  fetched(path: string): number;
  close(): Promise<void>;
}

/** Starts a peer on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startApPeer(port = 0): Promise<ApPeer> {
  const routes = new Map<string, PeerRoute>();
  const requests: PeerRequest[] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://peer").pathname;
    requests.push({ method: req.method ?? "GET", path, headers: req.headers });
    req.resume().on("end", () => {
      const route = routes.get(path);
      // Every POST is taken (an inbox that accepts anything): our Accepts must not bounce as 404.
      if (req.method === "POST" && !route) return void res.writeHead(202).end();
      if (!route) return void res.writeHead(404, { "content-type": "text/plain" }).end("not here");
      if ("redirect" in route) return void res.writeHead(route.status ?? 302, { location: route.redirect }).end();
      res.writeHead(route.status ?? 200, { "content-type": "application/activity+json" }).end(JSON.stringify(route.json));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    serve: (path, route) => void routes.set(path, route),
    remove: (path) => void routes.delete(path),
    requests,
    fetched: (path) => requests.filter((r) => r.method === "GET" && r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface PeerKeys {
  rsa: { publicKey: KeyObject; privateKey: KeyObject; pem: string };
  ed25519: { publicKey: KeyObject; privateKey: KeyObject };
}

/** A fresh RSA (2048) and Ed25519 key pair. */
export function peerKeys(): PeerKeys {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    rsa: { ...rsa, pem: rsa.publicKey.export({ type: "spki", format: "pem" }).toString() },
    ed25519: generateKeyPairSync("ed25519"),
  };
}

/** A Person document as Mastodon-like servers serve it: `publicKey` = `{id}#main-key`, owned by the actor. */
export function personDocument(id: string, publicKeyPem: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id,
    type: "Person",
    inbox: `${id}/inbox`,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
    ...extra,
  };
}
