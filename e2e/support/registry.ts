// Helpers for the registry's HTTP tests (product.md §3): users with tokens, unique names and
// hashes, the registry calls, "nothing was written" checks, and an Art DAG signature verifier
// written here from protocols.md §1 alone (a second implementation, not the server's lib/crypto).
import { createHash, randomBytes, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type APIRequestContext, type APIResponse } from "@playwright/test";
import { bearer, expectError, json, login, postRegister, register, uniqueUsername, PASSWORD } from "./api";
import { startFakeL1, type FakeL1, type FakeL1Route } from "../fixtures/fake-l1";
import { MAIN, SCRIPTED_L1 } from "./servers";

export interface User {
  username: string;
  token: string;
}

/** Registers a fresh user on the main server. */
export async function newUser(request: APIRequestContext, prefix: string): Promise<User> {
  const grant = await register(request, uniqueUsername(prefix));
  return { username: grant.username, token: grant.access_token };
}

/** A user with a fixed name (e.g. `ada`, whom the fake L1 names as a run's owner): registered once, then logged in. */
export async function fixedUser(request: APIRequestContext, username: string): Promise<User> {
  const res = await postRegister(request, { username, password: PASSWORD });
  if (res.status() === 201) return { username, token: ((await res.json()) as { access_token: string }).access_token };
  expect(res.status(), await res.text()).toBe(409);
  return { username, token: (await login(request, username)).access_token };
}

/** A random SHA3-256-shaped content hash (64 lower-case hex). */
export function randomHash(): string {
  return randomBytes(32).toString("hex");
}

/** The SHA3-256 of a text, as the fake L1 computes its hashes. */
export function sha3(text: string): string {
  return createHash("sha3-256").update(text).digest("hex");
}

/** A fresh, valid asset name (`[A-Za-z0-9._:-]`). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

export interface AssetView {
  name: string;
  content_hash: string;
  asset_type: string;
  tags: string[];
  metadata: Record<string, unknown>;
  url: string | null;
  ipfs_cid: string | null;
  owner: string;
  provenance: Record<string, unknown> | null;
  created_at: string;
  activity_id: string;
  activity_index: number;
}

export type Activity = Record<string, unknown> & {
  "@context": unknown;
  type: string;
  id: string;
  actor: string;
  object: Record<string, unknown>;
  published: string;
  signature: { type: string; creator: string; created: string; signatureValue: string };
};

export interface ActivitySummary {
  index: number;
  activity_id: string;
  id: string;
  type: string;
  actor: string;
  published: string;
  object_name: string | null;
  object_id: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const ASSET_FIELDS = [
  "activity_id",
  "activity_index",
  "asset_type",
  "content_hash",
  "created_at",
  "ipfs_cid",
  "metadata",
  "name",
  "owner",
  "provenance",
  "tags",
  "url",
];

export const PROTOCOL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const acceptJson = { accept: "application/json" };

/** `POST /assets` with a JSON body (an object is JSON-encoded; a Buffer is sent byte for byte). */
export function postAsset(request: APIRequestContext, token: string | null, body: unknown): Promise<APIResponse> {
  return request.post("/assets", {
    headers: { ...json, ...acceptJson, ...(token ? bearer(token) : {}) },
    data: body as object,
  });
}

/** Registers an asset (expects 201) and returns the answer. */
export async function createAsset(
  request: APIRequestContext,
  user: User,
  fields: Partial<{ name: string; content_hash: string; asset_type: string; tags: string[]; metadata: unknown; url: string; ipfs_cid: string }> = {},
): Promise<{ asset: AssetView; activity: Activity }> {
  const body = { name: uniqueName("asset"), content_hash: randomHash(), asset_type: "image", ...fields };
  const res = await postAsset(request, user.token, body);
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { asset: AssetView; activity: Activity };
}

/** `POST /assets/record-run`. */
export function postRecordRun(request: APIRequestContext, token: string | null, body: unknown): Promise<APIResponse> {
  return request.post("/assets/record-run", {
    headers: { ...json, ...acceptJson, ...(token ? bearer(token) : {}) },
    data: body as object,
  });
}

/** GET a JSON document (expects 200). */
export async function getJson<T>(request: APIRequestContext, url: string): Promise<T> {
  const res = await request.get(url, { headers: acceptJson });
  expect(res.status(), `${url}: ${(await res.text()).slice(0, 300)}`).toBe(200);
  return (await res.json()) as T;
}

/** The highest publication index (0 when nothing is published): a cheap "was anything published?". */
export async function latestActivityIndex(request: APIRequestContext): Promise<number> {
  const page = await getJson<Page<ActivitySummary>>(request, "/activities?limit=1");
  return page.items[0]?.index ?? 0;
}

/** The asset named `name` does not exist (404 not_found from /assets/{name}). */
export async function expectNoAsset(request: APIRequestContext, name: string): Promise<void> {
  await expectError(await request.get(`/assets/${encodeURIComponent(name)}`, { headers: acceptJson }), 404, "not_found");
}

/** Nobody owns `hash` (404 from /objects/{hash}, no match in the list). */
export async function expectUnclaimed(request: APIRequestContext, hash: string): Promise<void> {
  if (/^[0-9a-fA-F]{64}$/.test(hash)) {
    await expectError(await request.get(`/objects/${hash.toLowerCase()}`, { headers: acceptJson }), 404, "not_found");
    const found = await getJson<Page<AssetView>>(request, `/assets?q=${hash.toLowerCase()}`);
    expect(found.items).toEqual([]);
  }
}

/** Every item of GET `url` (a keyset-paged list), walking next_cursor with `limit`. */
export async function walk<T>(request: APIRequestContext, url: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes("?") ? "&" : "?";
    const page: Page<T> = await getJson<Page<T>>(request, `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.next_cursor !== null) expect(page.items.length, "a page with a next cursor is full").toBe(limit);
    items.push(...page.items);
    cursor = page.next_cursor;
    pages++;
    expect(pages, "the walk ends").toBeLessThan(1000);
  } while (cursor !== null);
  return { items, pages };
}

// ---------------------------------------------------------------------------------------------
// The Art DAG signature, verified independently (protocols.md §1)

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * Python's `json.dumps(x, sort_keys=True, separators=(",", ":"))` (ensure_ascii on) for the values
 * the tests use: JSON.stringify already writes Python's short escapes and lower-case `\u00XX` for
 * control characters; everything from U+007F up is escaped too (UTF-16 units = Python's surrogate pairs).
 */
export function pythonCanon(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    const text = String(value);
    if (!Number.isFinite(value) || /e/i.test(text) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      throw new Error(`the test verifier does not write ${text} as Python would`);
    }
    return text;
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonCanon).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareCodePoints);
  return `{${keys.map((k) => `${pythonCanon(k)}:${pythonCanon(record[k])}`).join(",")}}`;
}

/** The public key L2 published for `username` (SPKI PEM in the main server's data folder). */
export function publicKeyOf(username: string): string {
  return readFileSync(path.join(MAIN.dataDir, "keys", `${username}.pub`), "utf8");
}

/** True when `activity`'s Art DAG signature verifies with `publicKeyPem` (protocols.md §1, steps 1–5). */
export function artDagSignatureVerifies(activity: Activity, publicKeyPem: string): boolean {
  const doc = {
    "@context": "https://www.w3.org/ns/activitystreams",
    type: activity.type,
    id: activity.id,
    actor: activity.actor,
    object: activity.object,
    published: activity.published,
  };
  const options = {
    "@context": "https://w3id.org/security/v1",
    type: "RsaSignature2017",
    creator: activity.signature.creator,
    created: activity.signature.created,
  };
  const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();
  const toSign = Buffer.concat([sha256(pythonCanon(options)), sha256(pythonCanon(doc))]);
  return verify("sha256", toSign, publicKeyPem, Buffer.from(activity.signature.signatureValue, "base64"));
}

/** Asserts the shape of a signed `Create` claiming `asset` for `owner`, and that its signature verifies. */
export function expectSignedClaim(activity: Activity, asset: AssetView): void {
  const actor = `${MAIN.url}/users/${asset.owner}`;
  expect(activity).toMatchObject({
    // Served with the data-integrity context for its FEP-8b32 proof; the Art DAG signature still
    // covers the plain ActivityStreams context (protocols.md §1, step 1).
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v1"],
    type: "Create",
    id: `${MAIN.url}/activities/${asset.activity_id}`,
    actor,
    published: expect.stringMatching(PROTOCOL_TIME),
  });
  expect(activity.object).toMatchObject({
    name: asset.name,
    id: `${MAIN.url}/objects/${asset.content_hash}`,
    contentHash: { algorithm: "sha3-256", value: asset.content_hash },
    attributedTo: actor,
    tags: asset.tags,
    metadata: asset.metadata,
  });
  expect(activity.proof).toMatchObject({
    // FEP-8b32 / vc-di-eddsa: the proof carries the activity's own @context.
    "@context": activity["@context"],
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    verificationMethod: `${actor}#ed25519-key`,
    proofPurpose: "assertionMethod",
  });
  expect(Object.keys(activity.signature).sort()).toEqual(["created", "creator", "signatureValue", "type"]);
  expect(activity.signature).toEqual({
    type: "RsaSignature2017",
    creator: `${actor}#main-key`,
    created: expect.stringMatching(PROTOCOL_TIME),
    signatureValue: expect.stringMatching(/^[A-Za-z0-9+/]+={0,2}$/),
  });
  expect(Buffer.from(activity.signature.signatureValue, "base64").length, "an RSA-2048 signature").toBe(256);
  expect(artDagSignatureVerifies(activity, publicKeyOf(asset.owner)), "the signature verifies with the owner's public key").toBe(true);
}

/** An L1 on SCRIPTED_L1's port serving `runs` (id → document) and logging every request. */
export async function scriptedL1(runs: Record<string, unknown>): Promise<FakeL1> {
  const route: FakeL1Route = {
    method: "GET",
    path: /^\/runs\/([^/]+)$/,
    handle(_req, res, match) {
      const doc = runs[decodeURIComponent(match[1])];
      if (doc === undefined) return void res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"Not Found"}');
      const text = JSON.stringify(doc);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
    },
  };
  return startFakeL1({ port: SCRIPTED_L1.port, routes: [route] });
}
