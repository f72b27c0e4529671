// A Moo-Auth-1 client written from protocols.md §3 alone (Node's Ed25519 and its own base58btc, not
// the server's lib/): did:keys, signed headers, and requests sent with fetch — or with node:http when
// a test needs a Host header fetch would not send.
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import http from "node:http";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** base58btc (Bitcoin alphabet), no multibase prefix. */
export function base58btc(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

export interface ClientKey {
  privateKey: KeyObject;
  /** did:key:z6Mk… */
  did: string;
}

/** A did:key of a public key given as raw bytes after a multicodec prefix (e.g. 0xec 0x01 for X25519). */
export function didKeyOf(codec: number[], keyBytes: Uint8Array): string {
  return `did:key:z${base58btc(Uint8Array.from([...codec, ...keyBytes]))}`;
}

/** A fresh Ed25519 client key. */
export function newClientKey(): ClientKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  return { privateKey, did: didKeyOf([0xed, 0x01], raw) };
}

export interface SignOptions {
  /** The Host to sign (default: the URL's host, which is what fetch sends). */
  host?: string;
  /** Default: now. */
  date?: Date;
  /** Sign as if for this method (default: the request's). */
  signedMethod?: string;
  /** Sign this body's digest instead of the one sent. */
  signedBody?: string;
  /** The did:key to name in Authorization (default: the key's own). */
  did?: string;
}

export function digestOf(body: string): string {
  return `sha-256=${createHash("sha256").update(body, "utf8").digest("base64")}`;
}

/** The Moo-Auth-1 headers for a request: Authorization, X-Moo-Signature, Date, and on POST Digest. */
export function mooAuthHeaders(key: ClientKey, method: string, url: string, body?: string, options: SignOptions = {}): Record<string, string> {
  const u = new URL(url);
  const date = (options.date ?? new Date()).toUTCString();
  const signedMethod = (options.signedMethod ?? method).toLowerCase();
  const lines = [`(request-target): ${signedMethod} ${u.pathname}`, `host: ${options.host ?? u.host}`, `date: ${date}`];
  const headers: Record<string, string> = { authorization: `Moo-Auth-1 ${options.did ?? key.did}`, date };
  if (method.toUpperCase() === "POST") {
    headers.digest = digestOf(body ?? "");
    if (signedMethod === "post") lines.push(`digest: ${options.signedBody !== undefined ? digestOf(options.signedBody) : headers.digest}`);
  }
  headers["x-moo-signature"] = `z${base58btc(sign(null, Buffer.from(lines.join("\n"), "utf8"), key.privateKey))}`;
  return headers;
}

export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
  text: string;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: tests look at text.
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Sends headers (e.g. already signed ones) with fetch. */
export async function send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const extra: Record<string, string> = body !== undefined ? { "content-type": "application/json" } : {};
  return answer(await fetch(url, { method, headers: { accept: "application/json", ...extra, ...headers }, body }));
}

/** A request signed with the key, sent with fetch. */
export function mooFetch(key: ClientKey, method: string, url: string, body?: string, options: SignOptions = {}): Promise<Answer> {
  return send(method, url, mooAuthHeaders(key, method, url, body, options), body);
}

/** A request sent with node:http, which (unlike fetch) sends the Host header it is given. */
export function rawRequest(method: string, url: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: { accept: "application/json", ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = { text };
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
