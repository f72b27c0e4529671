// Moo-Auth-1 request signing (protocols.md §3): Digest, signing string, signature, headers.
import { createHash, sign } from "node:crypto";
import { encodeBase58btc } from "./base58.mjs";

/** The `Digest` header of a body: `sha-256=<base64 of SHA-256(body)>`. */
export function digestHeader(body) {
  return `sha-256=${createHash("sha256").update(body).digest("base64")}`;
}

/**
 * The Moo-Auth-1 signing string (protocols.md §3): request target, host, date and, on POST, digest,
 * joined by `\n`. The host is `new URL(url).host`, because Node's fetch sends exactly that `Host`.
 */
export function mooSigningString({ method, url, date, digest }) {
  const target = new URL(url);
  const lines = [`(request-target): ${method.toLowerCase()} ${target.pathname}`, `host: ${target.host}`, `date: ${date}`];
  if (method.toUpperCase() === "POST") {
    if (!digest) throw new TypeError("a POST is signed with its Digest");
    lines.push(`digest: ${digest}`);
  }
  return lines.join("\n");
}

/** `z` + base58btc of the pure Ed25519 signature of the signing string's UTF-8 bytes. */
export function mooSignature(privateKey, signingString) {
  return `z${encodeBase58btc(sign(null, Buffer.from(signingString, "utf8"), privateKey))}`;
}

/** The headers that make a request Moo-Auth-1 signed: Authorization, X-Moo-Signature, Date, Digest on POST. */
export function mooAuthHeaders({ privateKey, didKey, method, url, body, date = new Date().toUTCString() }) {
  const headers = { date, authorization: `Moo-Auth-1 ${didKey}` };
  if (method.toUpperCase() === "POST") headers.digest = digestHeader(body ?? "");
  headers["x-moo-signature"] = mooSignature(privateKey, mooSigningString({ method, url, date, digest: headers.digest }));
  return headers;
}
