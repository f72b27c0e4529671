import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtemp, readFile, rename, rm, stat, utimes, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { actorKeyPaths, ensureActorKeyPair, privateKeyFromPem, readActorPrivateKey, readActorPublicKey, readKeyFile } from "./keys";

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

describe("readKeyFile: remembered, yet every change to the file is seen", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "artdag-keyfile-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const anHourAgo = () => new Date(Date.now() - 3_600_000);

  it("answers null for a missing file, and null again once a known file is removed", async () => {
    const file = path.join(dir, "a.pem");
    expect(readKeyFile(file)).toBeNull();
    await writeFile(file, "first");
    await utimes(file, anHourAgo(), anHourAgo());
    expect(readKeyFile(file)).toBe("first");
    await rm(file);
    expect(readKeyFile(file)).toBeNull();
  });

  it("sees a file replaced by rename (a new inode), the same size, at once", async () => {
    const file = path.join(dir, "a.pem");
    await writeFile(file, "AAAA");
    await utimes(file, anHourAgo(), anHourAgo());
    expect(readKeyFile(file)).toBe("AAAA");
    expect(readKeyFile(file)).toBe("AAAA");
    await writeFile(path.join(dir, "b.pem"), "BBBB");
    await utimes(path.join(dir, "b.pem"), anHourAgo(), anHourAgo());
    await rename(path.join(dir, "b.pem"), file);
    expect(readKeyFile(file)).toBe("BBBB");
  });

  it("sees a settled file rewritten in place with the same size (new modification time)", async () => {
    const file = path.join(dir, "a.pem");
    await writeFile(file, "AAAA");
    await utimes(file, anHourAgo(), anHourAgo());
    expect(readKeyFile(file)).toBe("AAAA");
    await writeFile(file, "BBBB");
    expect(readKeyFile(file)).toBe("BBBB");
  });

  it("sees a remembered file rewritten in place whose times were put back (its change time moved)", async () => {
    const file = path.join(dir, "a.pem");
    const then = anHourAgo();
    await writeFile(file, "AAAA");
    await utimes(file, then, then);
    await new Promise((r) => setTimeout(r, 2_100)); // settled: its text is remembered from now on
    expect(readKeyFile(file)).toBe("AAAA");
    expect(readKeyFile(file)).toBe("AAAA");
    await writeFile(file, "BBBB");
    await utimes(file, then, then);
    expect(readKeyFile(file)).toBe("BBBB");
  });

  it("sees a file rewritten with the same size within its clock tick (a fresh file is not remembered yet)", async () => {
    const file = path.join(dir, "a.pem");
    for (const text of ["AAAA", "BBBB", "CCCC", "DDDD"]) {
      await writeFile(file, text);
      expect(readKeyFile(file)).toBe(text);
    }
  });

  it("serves the actor's keys through it: a rotated key pair is read on the next call", async () => {
    await ensureActorKeyPair(dir, "giles");
    const { privateKey, publicKey } = actorKeyPaths(dir, "giles");
    for (const f of [privateKey, publicKey]) await utimes(f, anHourAgo(), anHourAgo());
    const before = await readActorPublicKey(dir, "giles");
    await rm(privateKey);
    await rm(publicKey);
    await ensureActorKeyPair(dir, "giles");
    const after = await readActorPublicKey(dir, "giles");
    expect(after).toContain("-----BEGIN PUBLIC KEY-----");
    expect(after).not.toBe(before);
    expect(after).toBe(await readFile(publicKey, "utf8"));
    expect(createPublicKey(createPrivateKey((await readActorPrivateKey(dir, "giles"))!)).export({ type: "spki", format: "pem" })).toBe(after);
  });
});
