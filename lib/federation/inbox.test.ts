import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { signRequest } from "@/lib/http-signatures";
import { createTestContext, databaseKinds, rejectsWithAppError } from "@/lib/testing";
import { enqueueDeliveries, listDeliveries, performDelivery, receiveActivity } from ".";

/** A remote actor on loopback that serves its own document and counts the requests it gets. */
async function startRemoteActor() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const doc = {
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id: actor,
      type: "Person",
      inbox: `${actor}/inbox`,
      publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() },
    };
    res.writeHead(200, { "content-type": "application/activity+json" }).end(JSON.stringify(doc));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const actor = `http://127.0.0.1:${(server.address() as { port: number }).port}/users/remote`;
  return {
    actor,
    privateKey,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function signedPost(url: string, activity: object, remote: { actor: string; privateKey: import("node:crypto").KeyObject }) {
  const body = JSON.stringify(activity);
  const headers = signRequest(
    { method: "POST", url, headers: new Headers({ "content-type": "application/activity+json" }), body },
    { privateKey: remote.privateKey, keyId: `${remote.actor}#main-key`, spec: "draft-cavage" },
  );
  return { method: "POST", url, headers, body: new TextEncoder().encode(body) };
}

describe("receiveActivity", () => {
  let remote: Awaited<ReturnType<typeof startRemoteActor>>;
  beforeAll(async () => {
    remote = await startRemoteActor();
  });
  afterAll(() => remote.close());

  it("refuses a key on a private address while the guard is on: 401, and nothing is fetched", async () => {
    const t = await createTestContext("pglite"); // FEDERATION_ALLOW_PRIVATE_ADDRESSES defaults to false
    try {
      await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
      const before = remote.requests();
      const follow = { id: `${remote.actor}/follows/1`, type: "Follow", actor: remote.actor, object: "https://l2.test/users/alice" };
      const err = await rejectsWithAppError(receiveActivity(t.ctx, signedPost("https://l2.test/users/alice/inbox", follow, remote), "alice"));
      expect(err).toMatchObject({ status: 401, code: "unauthorized" });
      expect(remote.requests()).toBe(before);
      expect(await t.ctx.prisma.follower.count()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("answers a Follow for an unknown user with 404 and stores nothing; the id stays usable", async () => {
    const t = await createTestContext("pglite", { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    try {
      await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
      const follow = { id: `${remote.actor}/follows/2`, type: "Follow", actor: remote.actor, object: "https://l2.test/users/nobody" };
      const err = await rejectsWithAppError(receiveActivity(t.ctx, signedPost("https://l2.test/inbox", follow, remote), null));
      expect(err).toMatchObject({ status: 404 });
      expect(await t.ctx.prisma.follower.count()).toBe(0);
      expect(await rejectsWithAppError(receiveActivity(t.ctx, signedPost("https://l2.test/users/nobody/inbox", follow, remote), "nobody"))).toMatchObject({
        status: 404,
      });

      // The same Follow, now for a real user, is processed (the failed attempt did not use up its id).
      const ok = await receiveActivity(t.ctx, signedPost("https://l2.test/inbox", { ...follow, object: "https://l2.test/users/alice" }, remote), null);
      expect(ok).toEqual({ result: "followed", follower: remote.actor, username: "alice" });
      expect(await t.ctx.prisma.follower.findMany({ select: { actor: true, inbox: true } })).toEqual([{ actor: remote.actor, inbox: `${remote.actor}/inbox` }]);
      expect(t.sentJobs.map((j) => j.name)).toEqual(["deliver"]);
    } finally {
      await t.close();
    }
  });
});

describe("inbox items", () => {
  let remote: Awaited<ReturnType<typeof startRemoteActor>>;
  beforeAll(async () => {
    remote = await startRemoteActor();
  });
  afterAll(() => remote.close());

  it("keeps each accepted activity once in the inbox of the user it concerns", async () => {
    const t = await createTestContext("pglite", { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    try {
      for (const u of ["alice", "bob"]) await registerUser(t.ctx, { username: u, password: "password " + u }, { client: null });
      const follow = { id: `${remote.actor}/follows/9`, type: "Follow", actor: remote.actor, object: "https://l2.test/users/alice" };
      await receiveActivity(t.ctx, signedPost("https://l2.test/inbox", follow, remote), null);
      const like = { id: `${remote.actor}/likes/1`, type: "Like", actor: remote.actor, object: "https://l2.test/activities/x" };
      expect(await receiveActivity(t.ctx, signedPost("https://l2.test/users/bob/inbox", like, remote), "bob")).toEqual({ result: "ignored", type: "Like" });
      // The same id again is a no-op; a Like on the shared inbox concerns no one in particular.
      expect(await receiveActivity(t.ctx, signedPost("https://l2.test/users/bob/inbox", like, remote), "bob")).toEqual({ result: "duplicate" });
      await receiveActivity(t.ctx, signedPost("https://l2.test/inbox", { ...like, id: `${remote.actor}/likes/2` }, remote), null);
      const undo = { id: `${remote.actor}/undo/1`, type: "Undo", actor: remote.actor, object: { type: "Follow", object: "https://l2.test/users/alice" } };
      await receiveActivity(t.ctx, signedPost("https://l2.test/inbox", undo, remote), null);

      const items = await t.ctx.prisma.inboxItem.findMany({
        orderBy: { id: "asc" },
        select: { username: true, activityId: true, type: true, actor: true, body: true },
      });
      expect(items.map(({ body, ...rest }) => rest)).toEqual([
        { username: "alice", activityId: follow.id, type: "Follow", actor: remote.actor },
        { username: "bob", activityId: like.id, type: "Like", actor: remote.actor },
        { username: "alice", activityId: undo.id, type: "Undo", actor: remote.actor },
      ]);
      expect(JSON.parse(items[1].body)).toEqual(like);
    } finally {
      await t.close();
    }
  });
});

describe.each(databaseKinds)("an activity that is only kept (%s)", (kind) => {
  let remote: Awaited<ReturnType<typeof startRemoteActor>>;
  beforeAll(async () => {
    remote = await startRemoteActor();
  });
  afterAll(() => remote.close());

  it("for an unknown user's inbox: 401 without a good signature, 404 with one, nothing remembered; the id then reaches a real user", async () => {
    const t = await createTestContext(kind, { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    try {
      await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
      const like = { id: `${remote.actor}/likes/404`, type: "Like", actor: remote.actor, object: "https://l2.test/activities/x" };
      // The signature is checked first, as on the shared inbox.
      const forged = signedPost("https://l2.test/users/nobody/inbox", like, {
        actor: remote.actor,
        privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
      });
      expect(await rejectsWithAppError(receiveActivity(t.ctx, forged, "nobody"))).toMatchObject({ status: 401, code: "unauthorized" });
      const err = await rejectsWithAppError(receiveActivity(t.ctx, signedPost("https://l2.test/users/nobody/inbox", like, remote), "nobody"));
      expect(err).toMatchObject({ status: 404, code: "not_found", message: "There is no user nobody." });
      expect(await t.ctx.prisma.inboxSeen.count()).toBe(0);
      expect(await t.ctx.prisma.inboxItem.count()).toBe(0);

      expect(await receiveActivity(t.ctx, signedPost("https://l2.test/users/alice/inbox", like, remote), "alice")).toEqual({ result: "ignored", type: "Like" });
      expect(await receiveActivity(t.ctx, signedPost("https://l2.test/users/alice/inbox", like, remote), "alice")).toEqual({ result: "duplicate" });
      // Seen once, on any inbox: the same id on the shared inbox is a duplicate too.
      expect(await receiveActivity(t.ctx, signedPost("https://l2.test/inbox", like, remote), null)).toEqual({ result: "duplicate" });
      const items = await t.ctx.prisma.inboxItem.findMany({
        select: { username: true, activityId: true, type: true, actor: true, body: true, receivedAt: true },
      });
      expect(items).toEqual([
        { username: "alice", activityId: like.id, type: "Like", actor: remote.actor, body: JSON.stringify(like), receivedAt: t.ctx.now() },
      ]);
      expect(await t.ctx.prisma.inboxSeen.findMany({ select: { activityId: true } })).toEqual([{ activityId: like.id }]);
    } finally {
      await t.close();
    }
  });
});

describe("delivery retries", () => {
  it("a target that answers 500 three times then 202 ends delivered after 4 attempts", async () => {
    const t = await createTestContext("pglite", { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true" });
    let calls = 0;
    const sink = http.createServer((req, res) => {
      req.resume().on("end", () => res.writeHead(++calls <= 3 ? 500 : 202).end());
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
    const target = `http://127.0.0.1:${(sink.address() as { port: number }).port}/inbox`;
    try {
      await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
      const url = "https://l2.test/activities/retry";
      await t.ctx.prisma.$transaction((tx) => enqueueDeliveries(t.ctx, tx, { url, actor: "alice", body: "{}" }, [target]));
      const { id } = await t.ctx.prisma.delivery.findFirstOrThrow({ where: { activityUrl: url } });
      for (let i = 0; i < 3; i++) await expect(performDelivery(t.ctx, id)).rejects.toThrow("HTTP 500");
      await performDelivery(t.ctx, id);
      expect(await listDeliveries(t.ctx, url)).toEqual([expect.objectContaining({ target, state: "delivered", attempts: 4, last_status: 202 })]);
      expect(calls).toBe(4); // a 5xx gets no second knock
    } finally {
      await new Promise<void>((r) => sink.close(() => r()));
      await t.close();
    }
  });
});
