import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actorKeyPaths, ensureActorKeyPair, privateKeyFromPem, readActorPrivateKey, readActorPublicKey } from "./keys";

describe("ensureActorKeyPair", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "artdag-keys-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("creates an RSA-2048 PKCS#8 key (mode 600) and its SPKI public key", async () => {
    expect(await ensureActorKeyPair(dir, "giles")).toEqual({ created: true });
    const { privateKey, publicKey } = actorKeyPaths(dir, "giles");
    expect((await stat(privateKey)).mode & 0o777).toBe(0o600);
    const pem = (await readActorPrivateKey(dir, "giles"))!;
    expect(pem).toContain("-----BEGIN PRIVATE KEY-----");
    const pub = (await readActorPublicKey(dir, "giles"))!;
    expect(pub).toContain("-----BEGIN PUBLIC KEY-----");
    expect(await readFile(publicKey, "utf8")).toBe(pub);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const sig = sign("sha256", Buffer.from("hello"), key);
    expect(verify("sha256", Buffer.from("hello"), createPublicKey(pub), sig)).toBe(true);
  });

  it("never overwrites an existing key", async () => {
    await ensureActorKeyPair(dir, "giles");
    const before = await readActorPrivateKey(dir, "giles");
    expect(await ensureActorKeyPair(dir, "giles")).toEqual({ created: false });
    expect(await readActorPrivateKey(dir, "giles")).toBe(before);
  });

  it("restores a missing public key from the private one without touching it", async () => {
    await ensureActorKeyPair(dir, "giles");
    const pub = await readActorPublicKey(dir, "giles");
    await rm(actorKeyPaths(dir, "giles").publicKey);
    expect(await ensureActorKeyPair(dir, "giles")).toEqual({ created: false });
    expect(await readActorPublicKey(dir, "giles")).toBe(pub);
  });

  it("keeps a key someone placed there (setup-keys before registration)", async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(actorKeyPaths(dir, "ann").privateKey, "-----BEGIN PRIVATE KEY-----\nkept\n", { mode: 0o600 });
    await writeFile(actorKeyPaths(dir, "ann").publicKey, "kept-pub");
    expect(await ensureActorKeyPair(dir, "ann")).toEqual({ created: false });
    expect(await readActorPrivateKey(dir, "ann")).toContain("kept");
  });

  it.each(["../etc/passwd", "Al/ice", "", "a".repeat(33)])("refuses the file name %j", async (name) => {
    await expect(ensureActorKeyPair(dir, name)).rejects.toThrow("not a username");
  });
});

describe("privateKeyFromPem", () => {
  const pemOf = () => generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  it("parses a PEM once and hands back the same key for the same text", () => {
    const pem = pemOf();
    const key = privateKeyFromPem(pem);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(privateKeyFromPem(pem)).toBe(key);
    const signature = sign("sha256", Buffer.from("x"), key);
    expect(verify("sha256", Buffer.from("x"), createPublicKey(createPrivateKey(pem)), signature)).toBe(true);
  });

  it("parses a replaced key file's new text afresh, so signatures follow the file", () => {
    const before = privateKeyFromPem(pemOf());
    const after = privateKeyFromPem(pemOf());
    expect(after).not.toBe(before);
    expect(after.export({ type: "pkcs8", format: "pem" })).not.toEqual(before.export({ type: "pkcs8", format: "pem" }));
  });

  it("throws on text that is not a private key, and remembers nothing for it", () => {
    expect(() => privateKeyFromPem("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")).toThrow();
    expect(() => privateKeyFromPem("")).toThrow();
  });
});
