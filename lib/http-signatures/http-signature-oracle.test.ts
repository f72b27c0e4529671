// An independent oracle for our draft-cavage signatures (protocols.md §2): Joyent's http-signature
// 1.4.0, a dev dependency only (it rejects hs2019 and has no RFC 9421, so it is no runtime
// verifier). Every rsa-sha256 signature we send — deliveries (after the RFC 9421 knock is refused)
// and signed GETs — is captured as it arrives at a real node:http server on 127.0.0.1 and verified
// by http-signature's parseRequest + verifySignature against the very IncomingMessage; and every
// request http-signature signs verifies with ours, at our inbox too.
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import httpSignature from "http-signature";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { ensureActorKeyPair, readActorPublicKey } from "@/lib/crypto";
import { enqueueDeliveries, fetchActivityPubDocument, performDelivery, receiveActivity } from "@/lib/federation";
import { createTestContext, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { personDocument, startApPeer, type ApPeer } from "@/lib/testing/ap-peer";
import { sha256DigestHeader, verifyCavage } from ".";

interface Captured {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** http-signature's verdict on the request as it arrived, with the key the test expects. */
  oracle: { verified: boolean; error?: string; algorithm?: string; headers?: string[] };
}

/** A sink on loopback: refuses RFC 9421 with 401 (a cavage-only server) and runs the oracle on the rest. */
async function startOracleSink(publicKeyPem: () => string) {
  const captured: Captured[] = [];
  const server = http.createServer((req, res) => {
    req.resume().on("end", () => {
      const base = { method: req.method ?? "", path: req.url ?? "", headers: req.headers };
      if (req.headers["signature-input"]) {
        captured.push({ ...base, oracle: { verified: false, error: "RFC 9421 (not for this oracle)" } });
        return void res.writeHead(401).end();
      }
      let oracle: Captured["oracle"];
      try {
        // (@types/http-signature types the server-side request as a ClientRequest, and leaves out
        // authorizationHeaderName and the parsed `algorithm`.)
        const parsed = httpSignature.parseRequest(
          req as unknown as http.ClientRequest,
          { authorizationHeaderName: "signature", clockSkew: 300 } as httpSignature.ParseOptions,
        );
        const algorithm = (parsed as unknown as { algorithm: string }).algorithm;
        oracle = { verified: httpSignature.verifySignature(parsed, publicKeyPem()), algorithm, headers: parsed.params.headers };
      } catch (err) {
        oracle = { verified: false, error: String(err) };
      }
      captured.push({ ...base, oracle });
      if (req.method === "GET") return void res.writeHead(200, { "content-type": "application/activity+json" }).end('{"id":"x"}');
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    captured,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A ClientRequest-like object for http-signature's signer: it reads method, path and headers. */
function joyentSign(method: string, url: string, body: string | null, key: { pem: string; keyId: string }, headerNames: string[], host?: string) {
  const u = new URL(url);
  const headers: Record<string, string> = { host: host ?? u.host, date: new Date().toUTCString(), "content-type": "application/activity+json" };
  if (body !== null) headers.digest = sha256DigestHeader(body);
  const fake = {
    method,
    path: u.pathname + u.search,
    getHeader: (n: string) => headers[n.toLowerCase()],
    setHeader: (n: string, v: string) => void (headers[n.toLowerCase()] = v),
  };
  const ok = httpSignature.sign(
    fake as unknown as http.ClientRequest,
    {
      key: key.pem,
      keyId: key.keyId,
      algorithm: "rsa-sha256",
      headers: headerNames,
      authorizationHeaderName: "signature",
    } as httpSignature.SignOptions,
  );
  expect(ok).toBe(true);
  return new Headers(headers);
}

describe("http-signature 1.4.0 as an oracle", () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext("pglite", { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
    await ensureActorKeyPair(t.config.keysDir, t.config.primaryUser);
  });
  afterAll(() => t.close());

  it("verifies the rsa-sha256 draft-cavage signature of a delivery (after the RFC 9421 knock is refused)", async () => {
    const alicePem = (await readActorPublicKey(t.config.keysDir, "alice"))!;
    const sink = await startOracleSink(() => alicePem);
    try {
      const body = JSON.stringify({ id: "https://l2.test/activities/oracle", type: "Create", actor: "https://l2.test/users/alice" });
      await t.ctx.prisma.$transaction((tx) =>
        enqueueDeliveries(t.ctx, tx, { url: "https://l2.test/activities/oracle", actor: "alice", body }, [`${sink.origin}/users/bob/inbox?x=1`]),
      );
      const { id } = await t.ctx.prisma.delivery.findFirstOrThrow({ where: { activityUrl: "https://l2.test/activities/oracle" } });
      await performDelivery(t.ctx, id);
      expect(sink.captured.map((c) => [c.method, c.path, c.oracle.verified])).toEqual([
        ["POST", "/users/bob/inbox?x=1", false],
        ["POST", "/users/bob/inbox?x=1", true],
      ]);
      const cavage = sink.captured[1];
      expect(cavage.oracle).toEqual({ verified: true, algorithm: "RSA-SHA256", headers: ["(request-target)", "host", "date", "digest"] });
      expect(cavage.headers.signature).toContain('keyId="https://l2.test/users/alice#main-key"');
      expect(cavage.headers.digest).toBe(sha256DigestHeader(body));
      // …and the oracle is no pushover: with another key, the same request does not verify.
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();
      const sink2 = await startOracleSink(() => other);
      try {
        await t.ctx.prisma.$transaction((tx) =>
          enqueueDeliveries(t.ctx, tx, { url: "https://l2.test/activities/oracle2", actor: "alice", body }, [`${sink2.origin}/inbox`]),
        );
        const d2 = await t.ctx.prisma.delivery.findFirstOrThrow({ where: { activityUrl: "https://l2.test/activities/oracle2" } });
        await performDelivery(t.ctx, d2.id);
      } finally {
        await sink2.close();
      }
      expect(sink2.captured.at(-1)?.oracle).toMatchObject({ verified: false });
    } finally {
      await sink.close();
    }
  });

  it("verifies the rsa-sha256 signature of our signed GETs (the instance actor's key)", async () => {
    const instancePem = (await readActorPublicKey(t.config.keysDir, t.config.primaryUser))!;
    const sink = await startOracleSink(() => instancePem);
    try {
      const fetched = await fetchActivityPubDocument(t.ctx, `${sink.origin}/users/someone?page=2`);
      expect(fetched).toEqual({ ok: true, doc: { id: "x" } });
      expect(sink.captured).toHaveLength(1);
      expect(sink.captured[0].oracle).toEqual({ verified: true, algorithm: "RSA-SHA256", headers: ["(request-target)", "host", "date"] });
      expect(sink.captured[0].headers.signature).toContain('keyId="https://l2.test/actor#main-key"');
    } finally {
      await sink.close();
    }
  });

  it("every request it signs (rsa-sha256) verifies with ours; signed for another host it is wrong_authority", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const keyId = "https://peer.example/users/p#main-key";
    const url = "https://l2.test/users/alice/inbox?q=1";
    const body = '{"type":"Like"}';
    const verify = (headers: Headers) =>
      verifyCavage({ method: "POST", url, headers }, { resolveKey: async () => publicKey, hasBody: true, expectedAuthority: "l2.test" });
    for (const names of [
      ["(request-target)", "host", "date", "digest"],
      ["date", "(request-target)", "digest", "host", "content-type"],
    ]) {
      expect(await verify(joyentSign("POST", url, body, { pem, keyId }, names))).toMatchObject({ ok: true, keyId, algorithm: "rsa-sha256" });
    }
    expect(await verify(joyentSign("POST", url, body, { pem, keyId }, ["(request-target)", "host", "date", "digest"], "other.example"))).toMatchObject({
      ok: false,
      reason: "wrong_authority",
    });
    expect(await verify(joyentSign("POST", url, body, { pem, keyId }, ["(request-target)", "date", "digest"]))).toMatchObject({
      ok: false,
      reason: "missing_required_header",
      detail: expect.stringContaining("host"),
    });
  });

  it("a Follow signed by http-signature from a real peer on loopback is accepted at our inbox", async () => {
    let peer: ApPeer | undefined;
    try {
      peer = await startApPeer();
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const actor = `${peer.origin}/users/joy`;
      peer.serve("/users/joy", { json: personDocument(actor, publicKey.export({ type: "spki", format: "pem" }).toString()) });
      const follow = { id: `${actor}/follows/1`, type: "Follow", actor, object: "https://l2.test/users/alice" };
      const body = JSON.stringify(follow);
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const headers = joyentSign("POST", "https://l2.test/users/alice/inbox", body, { pem, keyId: `${actor}#main-key` }, [
        "(request-target)",
        "host",
        "date",
        "digest",
      ]);
      const inbound = { method: "POST", url: "https://l2.test/users/alice/inbox", headers, body: new TextEncoder().encode(body) };
      expect(await receiveActivity(t.ctx, inbound, "alice")).toEqual({ result: "followed", follower: actor, username: "alice" });
      // Signed by http-signature for another server: refused, and nothing stored.
      const body2 = JSON.stringify({ ...follow, id: `${actor}/follows/2` });
      const elsewhere = joyentSign(
        "POST",
        "https://l2.test/users/alice/inbox",
        body2,
        { pem, keyId: `${actor}#main-key` },
        ["(request-target)", "host", "date", "digest"],
        "other.example",
      );
      const err = await rejectsWithAppError(receiveActivity(t.ctx, { ...inbound, headers: elsewhere, body: new TextEncoder().encode(body2) }, "alice"));
      expect(err).toMatchObject({
        status: 401,
        code: "unauthorized",
        message: expect.stringContaining("for another server (the signature is for host other.example, not for l2.test)"),
      });
      expect(await t.ctx.prisma.inboxSeen.count({ where: { activityId: `${actor}/follows/2` } })).toBe(0);
      expect(await t.ctx.prisma.follower.findMany({ select: { actor: true, followActivityId: true } })).toEqual([{ actor, followActivityId: follow.id }]);
    } finally {
      await peer?.close();
    }
  });
});
