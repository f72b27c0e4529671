// The CLI client's pure parts (its modules in client/src/) against the published Moo-Auth-1
// vectors (protocols.md §3) and lib/crypto, then the program itself: the one file built from them,
// run as `node artdag-client.mjs …` against a small fake server that checks every signature the
// way the spec says.
import { spawn } from "node:child_process";
import { createHash, generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodeBase58btc as libDecodeBase58btc, didKeyFromEd25519, encodeBase58btc as libEncodeBase58btc, importEd25519Seed, parseDidKey } from "@/lib/crypto";
import { buildClient } from "@/scripts/build-client";
import { hasScheme, normalizeServer, parseCommandLine, parseFlags, parseTags } from "./src/args.mjs";
import { formatBytes, progressLine, startProgress } from "./src/progress.mjs";
import { buildCreateActivity, guessAssetType } from "./src/assets.mjs";
import { decodeBase58btc, encodeBase58btc } from "./src/base58.mjs";
import { configDir, keyFileName } from "./src/config.mjs";
import { didKeyFromPublicKey, privateKeyFromMultibase, privateKeyFromSeed } from "./src/keys.mjs";
import { digestHeader, mooAuthHeaders, mooSignature, mooSigningString } from "./src/moo-auth.mjs";
import { CliError } from "./src/program.mjs";

/** The one file users download, built from client/src/ the way `npm start` builds it (in beforeAll). */
let CLIENT = "";
let buildDir = "";

beforeAll(async () => {
  buildDir = mkdtempSync(path.join(os.tmpdir(), "artdag-client-build-"));
  CLIENT = await buildClient(path.join(buildDir, "artdag-client.mjs"));
});
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

// protocols.md §3: bovine's own test vector.
const VECTOR_SECRET = "z3u2Yxcowsarethebestcowsarethebestcowsarethebest";
const VECTOR_DID = "did:key:z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5";
const VECTOR_DATE = "Wed, 15 Mar 2023 17:28:15 GMT";
const VECTOR_GET_SIGNATURE = "z5ahdHCbP9aJEsDtvG1MEZpxPzuvGKYcdXdKvMq5YL21Z2umxjs1SopCY2Ap8vZxVjTEf6dYbGuB7mtgcgUyNdBLe";
const VECTOR_POST_BODY = '{"cows": "good"}';
const VECTOR_POST_DIGEST = "sha-256=MILb5lUDD6Z0pDSxhgxj+hMBEw0uTzP3g2qUJGHMp9k=";
const VECTOR_POST_SIGNATURE = "z4vPkJaoaSVQp5DrMb8EvCajJcerW36rsyWDELTWQ3cYmaonnGfb8WHiwH54BShidCcmpoyHjanVRYNrXXXka4jAn";

describe("base58btc", () => {
  it("writes and reads the same bytes as lib/crypto, leading zeros included", () => {
    for (const hex of ["", "00", "0000ff", "ed01", "ffffffffffffffff", "000102030405060708090a0b0c0d0e0f", createHash("sha256").update("x").digest("hex")]) {
      const bytes = Buffer.from(hex, "hex");
      const text = encodeBase58btc(bytes);
      expect(text).toBe(libEncodeBase58btc(bytes));
      expect(Buffer.from(decodeBase58btc(text)!).toString("hex")).toBe(hex);
      expect(Buffer.from(libDecodeBase58btc(text)!).toString("hex")).toBe(hex);
    }
  });

  it("refuses characters outside the alphabet (0, O, I, l)", () => {
    for (const bad of ["0", "O", "I", "l", "abc+"]) expect(decodeBase58btc(bad)).toBeNull();
  });
});

describe("didKeyFromPublicKey", () => {
  it("gives the published did:key for the published secret", () => {
    const key = privateKeyFromMultibase(VECTOR_SECRET);
    expect(didKeyFromPublicKey(key)).toBe(VECTOR_DID);
  });

  it("agrees with lib/crypto's didKeyFromEd25519 and parseDidKey for fresh keys", () => {
    for (let i = 0; i < 5; i++) {
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      const did = didKeyFromPublicKey(privateKey);
      expect(did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
      expect(did).toBe(didKeyFromEd25519(publicKey));
      expect(didKeyFromPublicKey(publicKey)).toBe(did);
      const parsed = parseDidKey(did);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.publicKey.export({ format: "jwk" })).toEqual(publicKey.export({ format: "jwk" }));
    }
  });

  it("derives the same key from a seed as lib/crypto's importEd25519Seed", () => {
    const seed = new Uint8Array(32).map((_, i) => i * 7);
    expect(didKeyFromPublicKey(privateKeyFromSeed(seed))).toBe(didKeyFromEd25519(importEd25519Seed(seed).publicKey));
  });

  it("refuses a secret that is not multibase ed25519-priv", () => {
    expect(() => privateKeyFromMultibase("z6MkekwC6R9bj9ErToB7AiZJfyCSDhaZe1UxhDbCqJrhqpS5")).toThrow(TypeError);
    expect(() => privateKeyFromMultibase("u3u2Yx")).toThrow(TypeError);
    expect(() => privateKeyFromSeed(new Uint8Array(31))).toThrow(TypeError);
  });
});

describe("Moo-Auth-1 signing (protocols.md §3)", () => {
  const key = privateKeyFromMultibase(VECTOR_SECRET);

  it("builds the GET signing string with the path only, lower-case method, host and date", () => {
    expect(mooSigningString({ method: "GET", url: "https://myhost.tld/path/to/resource?page=2", date: VECTOR_DATE })).toBe(
      `(request-target): get /path/to/resource\nhost: myhost.tld\ndate: ${VECTOR_DATE}`,
    );
  });

  it("signs the published GET vector", () => {
    const headers = mooAuthHeaders({ privateKey: key, didKey: VECTOR_DID, method: "GET", url: "https://myhost.tld/path/to/resource", date: VECTOR_DATE });
    expect(headers).toEqual({
      date: VECTOR_DATE,
      authorization: `Moo-Auth-1 ${VECTOR_DID}`,
      "x-moo-signature": VECTOR_GET_SIGNATURE,
    });
  });

  it("computes the published Digest and signs the published POST vector", () => {
    expect(digestHeader(VECTOR_POST_BODY)).toBe(VECTOR_POST_DIGEST);
    const signingString = mooSigningString({ method: "POST", url: "https://myhost.tld/path/to/resource", date: VECTOR_DATE, digest: VECTOR_POST_DIGEST });
    expect(signingString.split("\n")).toEqual([
      "(request-target): post /path/to/resource",
      "host: myhost.tld",
      `date: ${VECTOR_DATE}`,
      `digest: ${VECTOR_POST_DIGEST}`,
    ]);
    expect(mooSignature(key, signingString)).toBe(VECTOR_POST_SIGNATURE);
    const headers = mooAuthHeaders({
      privateKey: key,
      didKey: VECTOR_DID,
      method: "POST",
      url: "https://myhost.tld/path/to/resource",
      body: Buffer.from(VECTOR_POST_BODY),
      date: VECTOR_DATE,
    });
    expect(headers).toMatchObject({ digest: VECTOR_POST_DIGEST, "x-moo-signature": VECTOR_POST_SIGNATURE });
  });

  it("signs the host with its port, as Node's fetch sends it", () => {
    expect(mooSigningString({ method: "GET", url: "http://localhost:8311/auth/me", date: VECTOR_DATE })).toContain("\nhost: localhost:8311\n");
  });

  it("refuses to sign a POST without a digest", () => {
    expect(() => mooSigningString({ method: "POST", url: "https://myhost.tld/x", date: VECTOR_DATE })).toThrow(TypeError);
  });

  it("makes signatures that verify against the public key parseDidKey reads from the did:key", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const did = didKeyFromPublicKey(privateKey);
    const url = "https://l2.example/users/alice/outbox";
    const headers = mooAuthHeaders({ privateKey, didKey: did, method: "POST", url, body: "{}" });
    const parsed = parseDidKey(did);
    if (!parsed.ok) throw new Error(parsed.reason);
    const signed = mooSigningString({ method: "POST", url, date: headers.date, digest: headers.digest });
    const signature = decodeBase58btc(headers["x-moo-signature"].slice(1))!;
    expect(signature.length).toBe(64);
    expect(verify(null, Buffer.from(signed), parsed.publicKey, signature)).toBe(true);
    expect(verify(null, Buffer.from(signed.replace("alice", "bob")), parsed.publicKey, signature)).toBe(false);
  });
});

describe("configDir", () => {
  it("prefers ARTDAG_CLIENT_HOME, then XDG_CONFIG_HOME/artdag, then ~/.config/artdag", () => {
    expect(configDir({ ARTDAG_CLIENT_HOME: "/a/b", XDG_CONFIG_HOME: "/x" }, "/home/u")).toBe("/a/b");
    expect(configDir({ XDG_CONFIG_HOME: "/x" }, "/home/u")).toBe("/x/artdag");
    expect(configDir({}, "/home/u")).toBe("/home/u/.config/artdag");
    expect(configDir({ ARTDAG_CLIENT_HOME: "" }, "/home/u")).toBe("/home/u/.config/artdag");
  });
});

describe("arguments", () => {
  it("normalizes server addresses to an origin, https when no scheme is given", () => {
    expect(normalizeServer("http://localhost:8311/")).toBe("http://localhost:8311");
    expect(normalizeServer("l2.example")).toBe("https://l2.example");
    expect(normalizeServer(" https://L2.Example/some/path ")).toBe("https://l2.example");
    expect(() => normalizeServer("")).toThrow(CliError);
    expect(() => normalizeServer("ftp://l2.example")).toThrow(/http\(s\)/);
    expect(() => normalizeServer("http://")).toThrow(/Not a server address/);
  });

  it("names one key file per server", () => {
    expect(keyFileName("http://localhost:8311")).toBe("http_localhost_8311.pem");
    expect(keyFileName("https://l2.example")).toBe("https_l2.example.pem");
    expect(keyFileName("http://[::1]:8311")).toBe("http____1__8311.pem");
  });

  it("reads --flag value and --flag=value, and refuses unknown flags and missing values", () => {
    expect(parseFlags(["f.png", "--name", "n", "--tags=a,b"], ["name", "tags"])).toEqual({ positionals: ["f.png"], flags: { name: "n", tags: "a,b" } });
    expect(parseFlags(["--", "--odd-file"], ["name"])).toEqual({ positionals: ["--odd-file"], flags: {} });
    expect(() => parseFlags(["--nmae", "n"], ["name"])).toThrow(/Unknown option --nmae/);
    expect(() => parseFlags(["--name"], ["name"])).toThrow(/--name needs a value/);
    expect(() => parseFlags(["--name", "--tags", "a"], ["name", "tags"])).toThrow(/--name needs a value/);
    expect(() => parseFlags(["--name="], ["name"])).toThrow(/--name needs a value/);
  });

  it("reads options with parseArgs: booleans, repeated options, -- ends the options; mistakes are usage errors (exit 2)", () => {
    const options = { name: { type: "string" }, tag: { type: "string", multiple: true }, json: { type: "boolean" } } as const;
    expect(parseCommandLine(["f", "--tag", "a", "--json", "--tag=b", "--name", "n"], options)).toEqual({
      positionals: ["f"],
      flags: { tag: ["a", "b"], json: true, name: "n" },
    });
    expect(parseCommandLine(["--", "--json"], options)).toEqual({ positionals: ["--json"], flags: {} });
    for (const [args, message] of [
      [["--json=1"], "--json takes no value."],
      [["--tag"], "--tag needs a value."],
      [["--tag="], "--tag needs a value."],
      [["-x"], "Unknown option -x. Options: --name, --tag, --json."],
    ] as const) {
      let error: unknown;
      try {
        parseCommandLine([...args], options);
      } catch (err) {
        error = err;
      }
      expect(error, args.join(" ")).toBeInstanceOf(CliError);
      expect(error).toMatchObject({ message, exitCode: 2 });
    }
  });

  it("tells an address typed with its scheme from one where https is assumed", () => {
    expect(hasScheme("http://localhost:8311")).toBe(true);
    expect(hasScheme(" HTTPS://l2.example")).toBe(true);
    expect(hasScheme("localhost:8311")).toBe(false);
    expect(hasScheme("l2.example")).toBe(false);
  });

  it("splits tags, drops empty ones and duplicates", () => {
    expect(parseTags(" a, b,,a ,c ")).toEqual(["a", "b", "c"]);
  });

  it("guesses the asset type from the extension", () => {
    expect(guessAssetType("x/photo.JPG")).toBe("image");
    expect(guessAssetType("clip.webm")).toBe("video");
    expect(guessAssetType("song.flac")).toBe("audio");
    expect(guessAssetType("recipe.yaml")).toBe("unknown");
  });

  it("builds the C2S Create of the contract", () => {
    expect(buildCreateActivity({ actor: "https://l2/users/a", name: "n", contentHash: "ab", assetType: "video", tags: ["t"] })).toEqual({
      "@context": "https://www.w3.org/ns/activitystreams",
      type: "Create",
      actor: "https://l2/users/a",
      object: { type: "Video", name: "n", contentHash: { algorithm: "sha3-256", value: "ab" }, assetType: "video", tag: ["t"] },
    });
    expect(buildCreateActivity({ actor: "a", name: "n", contentHash: "ab", assetType: "recipe", tags: [] }).object).toMatchObject({ type: "Document" });
    expect(
      buildCreateActivity({ actor: "a", name: "n", contentHash: "ab", assetType: "image", tags: [], url: "https://x/y.png", metadata: { k: 1 } }).object,
    ).toMatchObject({
      url: "https://x/y.png",
      metadata: { k: 1 },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The program, against a fake L2 that checks Moo-Auth-1 like protocols.md §3 says.
// ---------------------------------------------------------------------------------------------

interface FakeL2 {
  url: string;
  /** What its NodeInfo names (`login` checks it is an Art DAG L2). */
  software: string;
  registered: Map<string, string>;
  seen: Set<string>;
  assets: {
    name: string;
    content_hash: string;
    asset_type: string;
    tags: string[];
    created_at: string;
    owner: string;
    url?: unknown;
    metadata?: unknown;
  }[];
  log: string[];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/**
 * The fake's Moo-Auth-1 check: the did:key's owner, or the 401 message L2 itself would give (the
 * client reads it: only a replay is retried, only an unregistered key asks for a new login).
 */
function checkMoo(fake: FakeL2, req: IncomingMessage, body: Buffer): { user: string } | { refused: string } {
  const refused = (detail: string) => ({ refused: `Moo-Auth-1 failed: ${detail}.` });
  const did = /^Moo-Auth-1 (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
  const signature = String(req.headers["x-moo-signature"] ?? "");
  if (!did || !signature.startsWith("z")) return refused("the Authorization header must be 'Moo-Auth-1 <did:key>'");
  const parsed = parseDidKey(did);
  if (!parsed.ok) return refused("the did:key in Authorization is malformed");
  const date = String(req.headers.date ?? "");
  if (Math.abs(Date.parse(date) - Date.now()) > 300_000) return refused("the Date is too far off; at most 300 s either way");
  let digest: string | undefined;
  if (req.method === "POST") {
    digest = String(req.headers.digest ?? "");
    if (digest !== `sha-256=${createHash("sha256").update(body).digest("base64")}`) return refused("the Digest header is not the SHA-256 of the body");
  }
  const signed = mooSigningString({ method: req.method!, url: `http://${req.headers.host}${req.url}`, date, digest });
  if (!verify(null, Buffer.from(signed), parsed.publicKey, decodeBase58btc(signature.slice(1)) ?? new Uint8Array())) {
    return refused(`the signature does not verify with the key of ${did}`);
  }
  const user = fake.registered.get(did);
  if (!user) return refused(`${did} is not a registered client key here (or it was removed)`);
  if (fake.seen.has(`${did} ${signature}`)) return refused("this signed request was already used (a replay); sign every request anew");
  fake.seen.add(`${did} ${signature}`);
  return { user };
}

async function startFakeL2(): Promise<{ fake: FakeL2; server: Server }> {
  const fake: FakeL2 = { url: "", software: "artdag-l2", registered: new Map(), seen: new Set(), assets: [], log: [] };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url!, fake.url);
    fake.log.push(`${req.method} ${url.pathname}`);
    if (url.pathname === "/.well-known/nodeinfo") {
      return send(res, 200, { links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${fake.url}/nodeinfo/2.1` }] });
    }
    if (url.pathname === "/nodeinfo/2.1") return send(res, 200, { version: "2.1", software: { name: fake.software, version: "9.9.9" } });
    if (url.pathname === "/.well-known/webfinger") {
      const owner = fake.registered.get(url.searchParams.get("resource") ?? "");
      if (!owner) return send(res, 404, { error: "not_found", message: "No such resource." });
      return send(res, 200, { subject: `acct:${owner}@fake`, links: [{ rel: "self", type: "application/activity+json", href: `${fake.url}/users/${owner}` }] });
    }
    const actor = /^\/users\/([a-z0-9_]+)$/.exec(url.pathname);
    if (actor && req.method === "GET") {
      const u = actor[1];
      return send(res, 200, {
        id: `${fake.url}/users/${u}`,
        preferredUsername: u,
        inbox: `${fake.url}/users/${u}/inbox`,
        outbox: `${fake.url}/users/${u}/outbox`,
      });
    }
    if (url.pathname === "/assets" && req.method === "GET") {
      const owned = fake.assets.filter((a) => a.owner === url.searchParams.get("owner")).reverse();
      const start = Number(url.searchParams.get("cursor") ?? 0);
      // Pages of 2, so the client must follow next_cursor.
      return send(res, 200, { items: owned.slice(start, start + 2), next_cursor: start + 2 < owned.length ? String(start + 2) : null });
    }
    const moo = checkMoo(fake, req, body);
    if ("refused" in moo) return send(res, 401, { error: "unauthorized", message: moo.refused });
    const user = moo.user;
    if (url.pathname === "/auth/me") return send(res, 200, { username: user, actor_id: `${fake.url}/users/${user}` });
    if (url.pathname === `/users/${user}/outbox` && req.method === "POST") {
      const activity = JSON.parse(body.toString()) as {
        object: { name: string; contentHash: { value: string }; assetType: string; tag: string[]; url?: unknown; metadata?: unknown };
      };
      const o = activity.object;
      if (fake.assets.some((a) => a.name === o.name)) return send(res, 409, { error: "name_taken", message: `The name ${o.name} is already registered.` });
      const asset = {
        name: o.name,
        content_hash: o.contentHash.value,
        asset_type: o.assetType,
        tags: o.tag,
        owner: user,
        created_at: new Date().toISOString(),
      };
      fake.assets.push({ ...asset, ...("url" in o ? { url: o.url } : {}), ...("metadata" in o ? { metadata: o.metadata } : {}) });
      const shown = { name: o.name, asset_type: o.assetType, tags: o.tag, url: o.url ?? null };
      return send(
        res,
        201,
        { asset: shown, activity: { id: `${fake.url}/activities/${fake.assets.length}` } },
        { location: `${fake.url}/activities/${fake.assets.length}` },
      );
    }
    const clientKey = /^\/auth\/client-keys\/(.+)$/.exec(url.pathname);
    if (clientKey && req.method === "DELETE") {
      const did = decodeURIComponent(clientKey[1]);
      if (fake.registered.get(did) !== user) return send(res, 404, { error: "not_found", message: `You have no client key ${did}.` });
      fake.registered.delete(did);
      return send(res, 204);
    }
    if (url.pathname === "/assets/record-run" && req.method === "POST") {
      const input = JSON.parse(body.toString()) as { run_id: string; output_name: string; l1_server: string };
      return send(res, 201, {
        asset: { name: input.output_name, asset_type: "video", content_hash: "ab".repeat(32) },
        activity: { id: `${fake.url}/activities/run` },
        inputs: [{ name: "input-1", content_hash: "cd".repeat(32), registered: true }],
      });
    }
    send(res, 404, { error: "not_found", message: "Nothing here." });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { fake, server };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
  const port = (dead.address() as AddressInfo).port;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  return port;
}

/** Runs the client; `onOutput` may answer on stdin (press Enter) when the output says so. */
function runClient(home: string, args: string[], onOutput?: (stdout: string, stdin: NodeJS.WritableStream) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT, ...args], { env: { ...process.env, ARTDAG_CLIENT_HOME: home }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
      onOutput?.(stdout, child.stdin);
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    if (!onOutput) child.stdin.end();
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the built file", () => {
  it("is one self-contained file: shebang and header first, only Node's built-in modules, the exports it always had", async () => {
    const text = readFileSync(CLIENT, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n// artdag-client: the Art DAG L2 command-line client (product.md §6).")).toBe(true);
    const imported = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imported).toContain("node:crypto");
    for (const specifier of imported) expect(specifier).toMatch(/^node:/);
    expect(text).not.toMatch(/\bimport\(|\brequire\(/);
    const exported = (await import(pathToFileURL(CLIENT).href)) as Record<string, unknown>;
    expect(Object.keys(exported).sort()).toEqual(
      [
        "ASSET_TYPES",
        "CliError",
        "USAGE",
        "VERSION",
        "buildCreateActivity",
        "configDir",
        "decodeBase58btc",
        "didKeyFromPublicKey",
        "digestHeader",
        "ed25519PublicKeyBytes",
        "encodeBase58btc",
        "formatAssetRow",
        "guessAssetType",
        "keyFileName",
        "main",
        "mooAuthHeaders",
        "mooSignature",
        "mooSigningString",
        "normalizeServer",
        "objectTypeFor",
        "parseFlags",
        "parseTags",
        "privateKeyFromMultibase",
        "privateKeyFromSeed",
      ].sort(),
    );
  });
});

describe("the progress line", () => {
  it("writes bytes in binary units, the percentage and the rate", () => {
    expect([0, 1023, 1024, 1536, 9 * 1024 * 1024, 2.5 * 1024 ** 3].map(formatBytes)).toEqual(["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "9.0 MiB", "2.5 GiB"]);
    expect(progressLine("Hashing a.bin", 1024 ** 3, 2 * 1024 ** 3, 2)).toBe("Hashing a.bin  1.0 GiB / 2.0 GiB  50%  512.0 MiB/s");
    expect(progressLine("Hashing empty", 0, 0, 0)).toBe("Hashing empty  0 B / 0 B  100%");
  });

  it("redraws one line in place on a terminal, at most every 100 ms, and ends it with a newline", () => {
    const written: string[] = [];
    const terminal = { isTTY: true, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const progress = startProgress("Hashing a.bin", 4096, terminal);
    progress.update(1024);
    progress.update(2048); // within 100 ms of the first: not drawn
    progress.finish();
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\rHashing a\.bin {2}1\.0 KiB \/ 4\.0 KiB {2}25%( {2}.+\/s)?\x1b\[K$/);
    expect(written[1]).toMatch(/^\rHashing a\.bin {2}4\.0 KiB \/ 4\.0 KiB {2}100%/);
    expect(written[2]).toBe("\n");
  });

  it("writes nothing when the stream is not a terminal", () => {
    const written: string[] = [];
    const pipe = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const progress = startProgress("Hashing a.bin", 10, pipe);
    progress.update(5);
    progress.finish();
    expect(written).toEqual([]);
  });
});

describe("artdag-client (the program)", () => {
  let fake: FakeL2;
  let server: Server;
  let home: string;

  beforeAll(async () => {
    ({ fake, server } = await startFakeL2());
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), "artdag-client-"));
    fake.registered.clear();
    fake.assets.length = 0;
    fake.log.length = 0;
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** Logs in as `username`: registers the printed did:key only after the first Enter, as a person would late. */
  async function login(username: string): Promise<{ run: Run; did: string }> {
    let did = "";
    let enters = 0;
    const run = await runClient(home, ["login", fake.url], (out, stdin) => {
      const prompts = out.split("press Enter").length - 1;
      did ||= /did:key:z6Mk\w+/.exec(out)?.[0] ?? "";
      if (prompts > enters) {
        enters = prompts;
        // The first Enter comes too early (nothing registered yet); the second after confirming.
        if (enters === 2) fake.registered.set(did, username);
        stdin.write("\n");
      }
    });
    return { run, did };
  }

  it("prints usage and exits 2 for no command and an unknown command; help and --help print it and exit 0", async () => {
    for (const args of [[], ["frobnicate"]]) {
      const run = await runClient(home, args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("Usage: node artdag-client.mjs <command>");
    }
    expect((await runClient(home, ["frobnicate"])).stderr).toContain("Unknown command: frobnicate");
    for (const args of [["help"], ["--help"], ["-h"]]) {
      const run = await runClient(home, args);
      expect(run, args.join(" ")).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toContain("Usage: node artdag-client.mjs <command>");
      for (const command of [
        "login <server>",
        "whoami",
        "register <file> --name <name> [options]",
        "list [--json]",
        "record-run <run_id>",
        "logout",
        "help [<command>]",
      ]) {
        expect(run.stdout).toContain(`  ${command}`);
      }
    }
  });

  it("prints one command's usage and options for help CMD, CMD --help and CMD -h, exit 0; the alias upload is register", async () => {
    for (const args of [
      ["help", "register"],
      ["register", "--help"],
      ["upload", "-h"],
      ["help", "upload"],
      ["register", "f", "--bogus", "--help"],
    ]) {
      const run = await runClient(home, args);
      expect(run, args.join(" ")).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toMatch(
        /^Usage: node artdag-client\.mjs register <file> --name <name> \[--type <type>\] \[--tag <tag>\]… \[--url <url>\] \[--metadata <json>\]\n\(also: upload\)\n/,
      );
      for (const option of ["--name <name>", "--type <type>", "--tag <tag>", "--url <url>", "--metadata <json>"]) expect(run.stdout).toContain(`  ${option}`);
    }
    const list = await runClient(home, ["help", "list"]);
    expect(list).toMatchObject({ code: 0, stderr: "" });
    expect(list.stdout).toContain("Usage: node artdag-client.mjs list [--json]");
    expect(list.stdout).toContain("  --json ");
    expect((await runClient(home, ["help", "logout"])).stdout).toContain("Removes this client's key from your account on the server");
    // `--help` after `--` is a file name, not a request for help.
    expect((await runClient(home, ["register", "--name", "x", "--", "--help"])).stderr).toBe("Error: File not found: --help\n");
    expect(await runClient(home, ["help", "fly"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining("Unknown command: fly. Commands: login, whoami, register"),
    });
    expect(await runClient(home, ["--version"])).toEqual({ code: 0, stdout: "1.0.0\n", stderr: "" });
  });

  it("refuses a mistyped command line with exit 2, the mistake and where the usage is, before doing anything", async () => {
    const cases: [string[], string][] = [
      [["register", "f", "--colour", "red"], "Error: Unknown option --colour. Options: --name, --type, --tag, --tags, --url, --metadata."],
      [["register", "f", "--name"], "Error: --name needs a value."],
      [["register", "f", "--name", "--type", "image"], "Error: --name needs a value."],
      [["register", "f", "--name", "x", "--metadata", "{oops"], `Error: --metadata must be a JSON object, e.g. '{"medium":"oil"}'; this is not JSON: {oops`],
      [["register", "f", "--name", "x", "--metadata", "[1]"], "Error: --metadata must be a JSON object ({…}), not an array or a single value."],
      [["register", "f", "--name", "x", "--url", "not a url"], "Error: --url must be a full http(s) address, e.g. https://example.com/work.png; got not a url"],
      [["register", "f", "--name", "x", "--url", "ftp://x/y"], "Error: --url must be an http(s) address; got ftp://x/y"],
      [["upload", "f"], "Error: upload needs --name <name>: the name the asset is registered under."],
      [["list", "--json=yes"], "Error: --json takes no value."],
      [["record-run", "r", "--name", "x"], "Error: record-run needs --l1 <url>: the renderer the run belongs to."],
    ];
    for (const [args, message] of cases) {
      const command = args[0] === "upload" ? "register" : args[0];
      expect(await runClient(home, args), args.join(" ")).toEqual({
        code: 2,
        stdout: "",
        stderr: `${message}\nRun "node artdag-client.mjs help ${command}" for its usage.\n`,
      });
    }
    expect(fake.log, "nothing was sent").toEqual([]);
  });

  it("logs in through the BIN-2 flow: key, link, Enter, 'not registered yet', Enter, WebFinger, signed /auth/me", async () => {
    const { run, did } = await login("alice");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${fake.url}/registerPublicKey?key=${did}&label=${encodeURIComponent(os.hostname())}\n`);
    expect(run.stdout).toContain("does not know this key yet: it is not registered");
    expect(run.stdout).toContain(`Logged in as alice (${fake.url}/users/alice)`);
    const keyFile = path.join(home, "keys", keyFileName(fake.url));
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readFileSync(keyFile, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const config = JSON.parse(readFileSync(path.join(home, "config.json"), "utf8")) as Record<string, string>;
    expect(config).toEqual({
      server: fake.url,
      did_key: did,
      actor: `${fake.url}/users/alice`,
      username: "alice",
      outbox: `${fake.url}/users/alice/outbox`,
      key_file: keyFile,
    });
    expect(statSync(path.join(home, "config.json")).mode & 0o777).toBe(0o600);

    const whoami = await runClient(home, ["whoami"]);
    expect(whoami).toMatchObject({ code: 0, stderr: "" });
    expect(whoami.stdout).toContain("username: alice");
    expect(whoami.stdout).toContain(`did:key:  ${did}`);
  });

  it("reuses the server's key on a second login, which then needs no confirmation", async () => {
    const first = await login("alice");
    const again = await runClient(home, ["login", fake.url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already registered: ${first.did}`);
    expect(again.stdout).toContain("Logged in as alice");
  });

  it("gives up with exit 1 and a message when stdin ends before the key is confirmed", async () => {
    const run = await runClient(home, ["login", fake.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("Error: Login cancelled: the key was not confirmed. Run login again when you are ready.\n");
    expect(fake.registered.size).toBe(0);
  });

  it("uploads: hashes with SHA3-256, posts the Create to the outbox, prints the activity URL; twice in a second still works", async () => {
    await login("alice");
    const file = path.join(home, "art.png");
    writeFileSync(file, "pixels");
    const sha3 = createHash("sha3-256").update("pixels").digest("hex");
    const run = await runClient(home, ["upload", file, "--name", "art-1", "--tags", "a, b"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("Registered art-1");
    expect(run.stdout).toContain(`sha3-256: ${sha3}`);
    expect(run.stdout).toContain(`activity: ${fake.url}/activities/1`);
    expect(fake.assets[0]).toMatchObject({ name: "art-1", content_hash: sha3, asset_type: "image", tags: ["a", "b"], owner: "alice" });
    // The same GET twice in one second signs the same bytes: the client retries with a new Date.
    const [w1, w2] = await Promise.all([runClient(home, ["whoami"]), runClient(home, ["whoami"])]);
    expect([w1.code, w2.code], w1.stderr + w2.stderr).toEqual([0, 0]);
  });

  it("shows a progress line (bytes, %, rate) on a terminal's stderr while hashing, and nothing when stderr is a pipe", async () => {
    await login("alice");
    const file = path.join(home, "big.bin");
    const content = Buffer.alloc(9 * 1024 * 1024, 7);
    writeFileSync(file, content);
    const piped = await runClient(home, ["register", file, "--name", "big", "--type", "video"]);
    expect(piped).toMatchObject({ code: 0, stderr: "" });
    expect(fake.assets[0].content_hash).toBe(createHash("sha3-256").update(content).digest("hex"));

    // script(1) gives the client a pseudo-terminal for stdin, stdout and stderr (its output is both).
    const command = [process.execPath, CLIENT, "register", file, "--name", "big-2"].map((a) => `'${a}'`).join(" ");
    // Spawned, not spawnSync: the fake L2 answering it runs in this process.
    const tty = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn("script", ["-qec", command, "/dev/null"], {
        env: { ...process.env, ARTDAG_CLIENT_HOME: home },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
      child.on("close", (status) => resolve({ status, stdout }));
    });
    expect(tty.status, tty.stdout).toBe(0);
    expect(tty.stdout).toMatch(/\rHashing big\.bin {2}9\.0 MiB \/ 9\.0 MiB {2}100% {2}\d+(\.\d)? (B|KiB|MiB|GiB)\/s\x1b\[K\r?\n/);
    expect(tty.stdout).toContain("Registered big-2");
    expect(fake.assets[1]).toMatchObject({ name: "big-2", asset_type: "unknown", content_hash: fake.assets[0].content_hash });
  });

  it("registers with repeated --tag, --url and --metadata, as the Create's object carries them", async () => {
    await login("alice");
    const file = path.join(home, "work.png");
    writeFileSync(file, "pixels");
    const run = await runClient(home, [
      "register",
      file,
      "--name",
      "work",
      "--tag",
      "sky",
      "--tag",
      "evening",
      "--tags",
      "sky,oil",
      "--url",
      "https://example.com/work.png",
      "--metadata",
      '{"medium":"oil","year":2026}',
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  tags:     sky, evening, oil");
    expect(run.stdout).toContain("  url:      https://example.com/work.png");
    expect(fake.assets).toEqual([
      expect.objectContaining({
        name: "work",
        asset_type: "image",
        tags: ["sky", "evening", "oil"],
        url: "https://example.com/work.png",
        metadata: { medium: "oil", year: 2026 },
      }),
    ]);
  });

  it("shows the server's message when the name is taken", async () => {
    await login("alice");
    const file = path.join(home, "a.txt");
    writeFileSync(file, "one");
    expect((await runClient(home, ["upload", file, "--name", "taken"])).code).toBe(0);
    const run = await runClient(home, ["upload", file, "--name", "taken"]);
    expect(run).toEqual({ code: 1, stdout: "", stderr: "Error: Registering taken failed: The name taken is already registered.\n" });
  });

  it("lists the assets as JSON with --json, every page of them", async () => {
    await login("alice");
    for (const name of ["one", "two", "three"]) {
      const file = path.join(home, name);
      writeFileSync(file, name);
      expect((await runClient(home, ["register", file, "--name", name, "--tag", name])).code).toBe(0);
    }
    const run = await runClient(home, ["list", "--json"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const items = JSON.parse(run.stdout) as { name: string; content_hash: string; tags: string[] }[];
    expect(items.map((a) => a.name)).toEqual(["three", "two", "one"]);
    expect(items[0]).toMatchObject({ content_hash: createHash("sha3-256").update("three").digest("hex"), tags: ["three"] });
    fake.assets.length = 0;
    expect((await runClient(home, ["list", "--json"])).stdout).toBe("[]\n");
  });

  it("logs out: removes the key on the server with a signed DELETE, then the key file and the login here", async () => {
    const { did } = await login("alice");
    const keyFile = path.join(home, "keys", keyFileName(fake.url));
    expect(statSync(keyFile).isFile()).toBe(true);
    fake.log.length = 0;
    const run = await runClient(home, ["logout"]);
    expect(run).toEqual({
      code: 0,
      stdout: `Removed this client's key from alice on ${fake.url}.\nLogged out: the key file and the saved login are deleted here.\n`,
      stderr: "",
    });
    expect(fake.log).toEqual([`DELETE /auth/client-keys/${encodeURIComponent(did)}`]);
    expect(fake.registered.has(did)).toBe(false);
    expect(() => statSync(keyFile)).toThrow();
    expect(() => statSync(path.join(home, "config.json"))).toThrow();
    expect(await runClient(home, ["whoami"])).toMatchObject({ code: 1, stderr: "Error: Not logged in. Run: node artdag-client.mjs login <server>\n" });
    expect((await runClient(home, ["logout"])).stderr).toBe("Error: Not logged in. Run: node artdag-client.mjs login <server>\n");
  });

  it("logs out when the key was already removed on the server (in the browser), and says so", async () => {
    const { did } = await login("alice");
    fake.registered.delete(did);
    const run = await runClient(home, ["logout"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain(`The key was already removed on ${fake.url}.`);
    expect(() => statSync(path.join(home, "config.json"))).toThrow();
  });

  it("keeps the login when the server cannot be reached for logout: nothing is removed", async () => {
    await login("alice");
    const config = path.join(home, "config.json");
    const saved = JSON.parse(readFileSync(config, "utf8")) as Record<string, string>;
    const port = await closedPort();
    writeFileSync(config, JSON.stringify({ ...saved, server: `http://127.0.0.1:${port}` }));
    const run = await runClient(home, ["logout"]);
    expect(run).toEqual({ code: 1, stdout: "", stderr: `Error: Cannot reach http://127.0.0.1:${port}: connection refused\n` });
    expect(statSync(config).isFile()).toBe(true);
    expect(statSync(saved.key_file).isFile()).toBe(true);
  });

  it("checks the server is an Art DAG L2 (NodeInfo) before making a key", async () => {
    fake.software = "mastodon";
    try {
      const run = await runClient(home, ["login", fake.url]);
      expect(run).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error: ${fake.url} is not an Art DAG L2 server: its NodeInfo names mastodon 9.9.9. Check the address.\n`,
      });
      expect(() => statSync(path.join(home, "keys"))).toThrow();
      expect(fake.log.filter((l) => !l.includes("nodeinfo"))).toEqual([]);
    } finally {
      fake.software = "artdag-l2";
    }
    const noNodeInfo = createServer((_req, res) => send(res, 404, { error: "not_found", message: "Nothing here." }));
    await new Promise<void>((resolve) => noNodeInfo.listen(0, "127.0.0.1", resolve));
    const other = `http://127.0.0.1:${(noNodeInfo.address() as AddressInfo).port}`;
    try {
      expect(await runClient(home, ["login", other])).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error: ${other} is not an Art DAG L2 server: it has no NodeInfo (/.well-known/nodeinfo answered 404). Check the address.\n`,
      });
    } finally {
      await new Promise<void>((resolve) => noNodeInfo.close(() => resolve()));
    }
  });

  it("says what to try when an address without a scheme does not answer https (a plain-HTTP server)", async () => {
    const hostPort = fake.url.replace(/^http:\/\//, "");
    const run = await runClient(home, ["login", hostPort]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(new RegExp(`^Error: Cannot reach https://${hostPort.replace(/\./g, "\\.")}: .+\\n`));
    expect(run.stderr).toContain(
      `No scheme was given, so https was tried. If the server speaks plain HTTP (a local one usually does), try: node artdag-client.mjs login http://${hostPort}\n`,
    );
    expect(() => statSync(path.join(home, "keys"))).toThrow();
    // With the scheme given, a refusal is just that: no advice about schemes.
    const port = await closedPort();
    expect((await runClient(home, ["login", `https://127.0.0.1:${port}`])).stderr).toBe(`Error: Cannot reach https://127.0.0.1:${port}: connection refused\n`);
  });

  it("lists the user's assets newest first, following next_cursor", async () => {
    await login("alice");
    for (const name of ["one", "two", "three"]) {
      const file = path.join(home, name);
      writeFileSync(file, name);
      expect((await runClient(home, ["upload", file, "--name", name])).code).toBe(0);
    }
    const run = await runClient(home, ["list"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+HASH\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["three", "two", "one"]);
    expect(lines[1]).toContain(createHash("sha3-256").update("three").digest("hex").slice(0, 12));
  });

  it("says so when the list is empty", async () => {
    await login("alice");
    expect((await runClient(home, ["list"])).stdout).toBe("alice has no assets yet.\n");
  });

  it("records a run with a signed POST", async () => {
    await login("alice");
    const run = await runClient(home, ["record-run", "run-1", "--l1", "http://l1.example", "--name", "out"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("Recorded run run-1 as out");
    expect(run.stdout).toContain("input:    input-1 cdcdcdcdcdcd (registered now)");
  });

  it("says the key was refused, with exit 1, once the key is removed", async () => {
    const { did } = await login("alice");
    fake.registered.delete(did);
    const run = await runClient(home, ["whoami"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`The server refused this client's key — it was removed or never registered. Run: node artdag-client.mjs login ${fake.url}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("fails clearly when not logged in, the file is missing or flags are wrong", async () => {
    expect(await runClient(home, ["whoami"])).toEqual({ code: 1, stdout: "", stderr: "Error: Not logged in. Run: node artdag-client.mjs login <server>\n" });
    await login("alice");
    expect((await runClient(home, ["upload", path.join(home, "nope"), "--name", "x"])).stderr).toBe(`Error: File not found: ${path.join(home, "nope")}\n`);
    expect((await runClient(home, ["upload", home, "--name", "x"])).stderr).toBe(`Error: Not a regular file: ${home}\n`);
    expect((await runClient(home, ["upload", "f", "--name", "x", "--type", "poem"])).stderr).toMatch(/^Error: --type must be one of image, video/);
    expect(await runClient(home, ["whoami", "extra"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^Error: Usage: node artdag-client\.mjs whoami\n/),
    });
  });

  it("says the server cannot be reached, before writing any key", async () => {
    const port = await closedPort();
    const run = await runClient(home, ["login", `http://127.0.0.1:${port}`]);
    expect(run).toEqual({ code: 1, stdout: "", stderr: `Error: Cannot reach http://127.0.0.1:${port}: connection refused\n` });
    expect(() => statSync(path.join(home, "keys"))).toThrow();
  });
});
