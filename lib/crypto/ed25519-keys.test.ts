import { createPrivateKey, sign, verify } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actorEd25519KeyPath, ensureActorEd25519Key, importEd25519Seed, readActorEd25519Key } from "./ed25519-keys";
import { actorKeyPaths, ensureActorKeyPair } from "./keys";

describe("ensureActorEd25519Key / readActorEd25519Key", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "artdag-ed25519-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("creates {username}.ed25519.pem, PKCS#8, mode 600, and reads it back as a working pair", async () => {
    expect(await ensureActorEd25519Key(dir, "giles")).toEqual({ created: true });
    const file = actorEd25519KeyPath(dir, "giles");
    expect(file).toBe(path.join(dir, "giles.ed25519.pem"));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const pem = await readFile(file, "utf8");
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(pem).asymmetricKeyType).toBe("ed25519");
    const pair = (await readActorEd25519Key(dir, "giles"))!;
    expect(pair.privateKey.type).toBe("private");
    expect(pair.publicKey.type).toBe("public");
    expect(pair.publicKey.asymmetricKeyType).toBe("ed25519");
    const signature = sign(null, Buffer.from("hello"), pair.privateKey);
    expect(verify(null, Buffer.from("hello"), pair.publicKey, signature)).toBe(true);
  });

  it("never overwrites an existing key", async () => {
    await ensureActorEd25519Key(dir, "giles");
    const before = await readFile(actorEd25519KeyPath(dir, "giles"), "utf8");
    expect(await ensureActorEd25519Key(dir, "giles")).toEqual({ created: false });
    expect(await readFile(actorEd25519KeyPath(dir, "giles"), "utf8")).toBe(before);
  });

  it("keeps a key someone placed there", async () => {
    await mkdir(dir, { recursive: true });
    const seed = Buffer.alloc(32, 7);
    const placed = importEd25519Seed(seed).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await writeFile(actorEd25519KeyPath(dir, "ann"), placed, { mode: 0o600 });
    expect(await ensureActorEd25519Key(dir, "ann")).toEqual({ created: false });
    expect(await readFile(actorEd25519KeyPath(dir, "ann"), "utf8")).toBe(placed);
    const pair = (await readActorEd25519Key(dir, "ann"))!;
    expect(pair.publicKey.export({ format: "jwk" })).toEqual(importEd25519Seed(seed).publicKey.export({ format: "jwk" }));
  });

  it("lives beside the RSA key files without touching them", async () => {
    await ensureActorKeyPair(dir, "giles");
    const rsa = await readFile(actorKeyPaths(dir, "giles").privateKey, "utf8");
    await ensureActorEd25519Key(dir, "giles");
    expect(await readFile(actorKeyPaths(dir, "giles").privateKey, "utf8")).toBe(rsa);
    expect(createPrivateKey(rsa).asymmetricKeyType).toBe("rsa");
  });

  it("creates the folder when missing", async () => {
    const nested = path.join(dir, "a", "b");
    expect(await ensureActorEd25519Key(nested, "giles")).toEqual({ created: true });
    expect(await readActorEd25519Key(nested, "giles")).not.toBeNull();
  });

  it("gives two concurrent callers one key", async () => {
    const results = await Promise.all([ensureActorEd25519Key(dir, "giles"), ensureActorEd25519Key(dir, "giles"), ensureActorEd25519Key(dir, "giles")]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await readActorEd25519Key(dir, "giles")).not.toBeNull();
  });

  it("returns null for an actor without a key", async () => {
    expect(await readActorEd25519Key(dir, "nobody")).toBeNull();
    expect(await readActorEd25519Key(path.join(dir, "missing"), "nobody")).toBeNull();
  });

  it("refuses a file that is not an Ed25519 key instead of returning null", async () => {
    await writeFile(actorEd25519KeyPath(dir, "bad"), "garbage");
    await expect(readActorEd25519Key(dir, "bad")).rejects.toThrow(/PKCS#8/);
    await ensureActorKeyPair(dir, "rsa");
    await writeFile(actorEd25519KeyPath(dir, "rsa"), await readFile(actorKeyPaths(dir, "rsa").privateKey));
    await expect(readActorEd25519Key(dir, "rsa")).rejects.toThrow(/rsa key, not Ed25519/);
  });

  it.each(["../etc/passwd", "Al/ice", "", "a".repeat(33), "giles.ed25519"])("refuses the file name %j", async (name) => {
    await expect(ensureActorEd25519Key(dir, name)).rejects.toThrow("not a username");
    await expect(readActorEd25519Key(dir, name)).rejects.toThrow("not a username");
    expect(() => actorEd25519KeyPath(dir, name)).toThrow("not a username");
  });
});

describe("importEd25519Seed", () => {
  it("matches RFC 8032 test 1 (seed → public key, signature of the empty message)", () => {
    const seed = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
    const { privateKey, publicKey } = importEd25519Seed(seed);
    expect(Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("hex")).toBe(
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    expect(sign(null, Buffer.alloc(0), privateKey).toString("hex")).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it.each([0, 31, 33, 64])("refuses a %d-byte seed", (length) => {
    expect(() => importEd25519Seed(new Uint8Array(length))).toThrow(TypeError);
  });
});
