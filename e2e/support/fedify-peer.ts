// A real Fedify 2.3.6 server as the independent ActivityPub peer of federation-interop.spec.ts
// (protocols.md §2: "Test with an independent peer (Fedify) for both specs"), run inside the test
// process: node:http on 127.0.0.1 → `federation.fetch(request)`. Signature verification is on
// (never skipped). Its actors (Person, RSA + Ed25519 key pairs) sign what they send with the
// `firstKnock` spec first; its inbox listeners record every Accept and Create.
//
// Fedify's own inbox accepts an activity with a valid FEP-8b32 proof without looking at the HTTP
// signature, so the front of the peer also runs Fedify's verifyRequestDetailed on every inbox POST
// and records the outcome: that is how the tests know Fedify verified the HTTP signature of our
// Create too. With `refuseRfc9421` the front answers 401 to RFC 9421-signed POSTs before Fedify
// sees them (a draft-cavage-only server), so our delivery must fall back to draft-cavage.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
  verifyRequestDetailed,
  type Context,
  type Federation,
  type HttpMessageSignaturesSpec,
} from "@fedify/fedify";
import { Accept, Create, Endpoints, Person, type Object as APObject } from "@fedify/vocab";
import { getDocumentLoader, type DocumentLoader } from "@fedify/vocab-runtime";

/** The peer's actors: `bob` follows in the main flow, `carol` and `mallory` sign the hostile requests. */
export const PEER_ACTORS = ["bob", "carol", "mallory"] as const;
export type PeerActor = (typeof PEER_ACTORS)[number];

export interface PeerKeys {
  rsa: CryptoKeyPair;
  ed25519: CryptoKeyPair;
}

/** One POST that reached one of the peer's inboxes, as the front saw it. */
export interface InboxPost {
  path: string;
  /** Which HTTP signature the request carried. */
  spec: "rfc9421" | "draft-cavage" | null;
  /** The keyId it names (either spec), for messages. */
  keyId: string | null;
  headers: Record<string, string>;
  body: string;
  /** The body parsed, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
  /** Refused by the front (`refuseRfc9421`) before Fedify saw it. */
  refusedByFront: boolean;
  /** Fedify's verifyRequestDetailed: the verified key id and owner, or the failure reason. */
  httpSignature: { verified: true; keyId: string; owner: string | null } | { verified: false; reason: string } | null;
  /** What the peer answered. */
  status: number;
  responseText: string;
}

export interface ReceivedCreate {
  activity: Create;
  object: APObject | null;
}

export interface FedifyPeer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  firstKnock: HttpMessageSignaturesSpec;
  federation: Federation<void>;
  kv: MemoryKvStore;
  /** A context for sending and looking things up as the peer. */
  ctx: Context<void>;
  /** Fedify's loader, with its preloaded JSON-LD contexts, allowed to reach loopback (our server). */
  documentLoader: DocumentLoader;
  actorUri(actor: PeerActor): URL;
  /** `{actor}#main-key`: Fedify names the first key pair so, and that one is the RSA pair. */
  keyId(actor: PeerActor): URL;
  keys(actor: PeerActor): PeerKeys;
  accepts: Accept[];
  creates: ReceivedCreate[];
  inboxPosts: InboxPost[];
  /** The spec Fedify remembered for an origin after a successful send (its double-knock memory). */
  rememberedSpec(origin: string): Promise<HttpMessageSignaturesSpec | undefined>;
  /**
   * What the inboxes do with a POST (recorded in inboxPosts either way): `open` passes it to Fedify
   * (the default); `refuse` answers 503 (a peer that is down); `hold` never answers (a peer that hangs).
   */
  inboxMode: InboxMode;
  /** Inbox POSTs held unanswered so far (inboxMode `hold`). */
  held(): InboxPost[];
  /** Cuts the connection of every held POST, unanswered. */
  dropHeld(): void;
  close(): Promise<void>;
}

export type InboxMode = "open" | "refuse" | "hold";

export interface FedifyPeerOptions {
  firstKnock: HttpMessageSignaturesSpec;
  /** Answer 401 to RFC 9421-signed inbox POSTs without passing them to Fedify. */
  refuseRfc9421?: boolean;
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

function keyIdOf(headers: Headers): string | null {
  const input = headers.get("signature-input");
  if (input) return /keyid="([^"]*)"/.exec(input)?.[1] ?? null;
  const cavage = headers.get("signature");
  return cavage ? (/keyId="([^"]*)"/i.exec(cavage)?.[1] ?? null) : null;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a Fedify peer on 127.0.0.1 (an ephemeral port). */
export async function startFedifyPeer(options: FedifyPeerOptions): Promise<FedifyPeer> {
  const keys = new Map<PeerActor, PeerKeys>();
  for (const actor of PEER_ACTORS) {
    keys.set(actor, { rsa: await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), ed25519: await generateCryptoKeyPair("Ed25519") });
  }
  const isPeerActor = (id: string): id is PeerActor => (PEER_ACTORS as readonly string[]).includes(id);

  const kv = new MemoryKvStore();
  const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
  const federation = createFederation<void>({ kv, allowPrivateAddress: true, firstKnock: options.firstKnock });

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (!isPeerActor(identifier)) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: `${identifier} (Fedify peer)`,
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        // The RSA key signs HTTP requests (Fedify lists the first key pair as #main-key);
        // every key is also a Multikey in assertionMethod (FEP-521a), as Fedify apps do.
        publicKey: pairs[0].cryptographicKey,
        assertionMethods: pairs.map((p) => p.multikey),
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const pair = isPeerActor(identifier) ? keys.get(identifier) : undefined;
      return pair ? [pair.rsa, pair.ed25519] : [];
    });

  const accepts: Accept[] = [];
  const creates: ReceivedCreate[] = [];
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Accept, async (_ctx, accept) => {
      accepts.push(accept);
    })
    .on(Create, async (ctx, create) => {
      creates.push({ activity: create, object: await create.getObject(ctx) });
    });

  const inboxPosts: InboxPost[] = [];
  let origin = "";
  let inboxMode: InboxMode = "open";
  const held: { post: InboxPost; res: ServerResponse }[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";
    const body = method === "GET" || method === "HEAD" ? null : await readBody(req);
    const headers = headersOf(req);
    const request = () => new Request(url, { method, headers, body: body === null ? null : new Uint8Array(body) });

    let response: Response;
    const isInbox = method === "POST" && (url.pathname === "/inbox" || /^\/users\/[^/]+\/inbox$/.test(url.pathname));
    if (!isInbox) {
      response = await federation.fetch(request(), { contextData: undefined });
    } else {
      const text = body?.toString("utf8") ?? "";
      const spec = headers.has("signature-input") ? "rfc9421" : headers.has("signature") ? "draft-cavage" : null;
      const post: InboxPost = {
        path: url.pathname,
        spec,
        keyId: keyIdOf(headers),
        headers: Object.fromEntries(headers.entries()),
        body: text,
        json: parseJson(text),
        refusedByFront: false,
        httpSignature: null,
        status: 0,
        responseText: "",
      };
      inboxPosts.push(post);
      if (inboxMode === "hold") {
        held.push({ post, res });
        return;
      }
      if (inboxMode === "refuse") {
        response = new Response("This peer is down for maintenance.", { status: 503 });
      } else if (options.refuseRfc9421 && spec === "rfc9421") {
        post.refusedByFront = true;
        response = new Response("This peer verifies draft-cavage-http-signatures-12 only.", { status: 401 });
      } else {
        const verification = await verifyRequestDetailed(request(), { documentLoader, contextLoader: documentLoader }).catch((err: unknown) => ({
          verified: false as const,
          reason: { type: `threw: ${String(err)}` },
        }));
        post.httpSignature = verification.verified
          ? { verified: true, keyId: verification.key.id?.href ?? "", owner: verification.key.ownerId?.href ?? null }
          : { verified: false, reason: verification.reason.type };
        response = await federation.fetch(request(), { contextData: undefined });
      }
      post.status = response.status;
      post.responseText = await response.clone().text();
    }
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(out);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`peer error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx = federation.createContext(new URL(origin), undefined);

  return {
    origin,
    firstKnock: options.firstKnock,
    federation,
    kv,
    ctx,
    documentLoader,
    actorUri: (actor) => ctx.getActorUri(actor),
    keyId: (actor) => new URL(`${ctx.getActorUri(actor).href}#main-key`),
    keys: (actor) => keys.get(actor)!,
    accepts,
    creates,
    inboxPosts,
    rememberedSpec: async (o) => (await kv.get<HttpMessageSignaturesSpec>(["_fedify", "httpMessageSignaturesSpec", o])) ?? undefined,
    get inboxMode() {
      return inboxMode;
    },
    set inboxMode(mode: InboxMode) {
      inboxMode = mode;
    },
    held: () => held.map((h) => h.post),
    dropHeld() {
      for (const h of held.splice(0)) h.res.socket?.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh id on the peer (for activities it makes). */
export function peerId(peer: FedifyPeer, kind: string): URL {
  return new URL(`/${kind}/${randomUUID()}`, peer.origin);
}

/** Polls `check` every 200 ms until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
