import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/accounts";
import { addClientKey, removeClientKey } from "@/lib/clients";
import { didKeyFromEd25519 } from "@/lib/crypto";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { actorDocument, nodeinfo, nodeinfoLinks, webfinger, webfingerUsername } from ".";

describe.each(databaseKinds)("federation documents on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    await registerUser(t.ctx, { username: "alice", password: "password alice" }, { client: null });
  });
  afterAll(() => t.close());

  it("answers WebFinger for acct: and for the actor URL with a self link", async () => {
    const expected = {
      subject: "acct:alice@l2.test",
      aliases: ["https://l2.test/users/alice"],
      links: [
        { rel: "self", type: "application/activity+json", href: "https://l2.test/users/alice" },
        { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: "https://l2.test/users/alice" },
      ],
    };
    expect(await webfinger(t.ctx, "acct:alice@l2.test")).toEqual(expected);
    expect(await webfinger(t.ctx, "alice@L2.TEST")).toEqual(expected);
    expect(await webfinger(t.ctx, "https://l2.test/users/alice")).toEqual(expected);
  });

  it.each(["acct:bob@l2.test", "acct:alice@other.test", "https://other.test/users/alice", "https://l2.test/users/alice/outbox", "acct:Alice@l2.test"])(
    "answers 404 for %s",
    async (resource) => {
      expect(await rejectsWithAppError(webfinger(t.ctx, resource))).toMatchObject({ status: 404, code: "not_found" });
    },
  );

  it.each(["", "not a uri", "acct:", "x".repeat(600)])("answers 400 for the malformed resource %#", async (resource) => {
    expect(await rejectsWithAppError(webfinger(t.ctx, resource))).toMatchObject({ status: 400, code: "invalid_request" });
  });

  it("answers WebFinger for a registered client did:key with its owner, and 404 before and after", async () => {
    const did = didKeyFromEd25519(generateKeyPairSync("ed25519").publicKey);
    expect(await rejectsWithAppError(webfinger(t.ctx, did))).toMatchObject({ status: 404, code: "not_found" });
    await addClientKey(t.ctx, "alice", { did_key: did, label: null });
    expect(await webfinger(t.ctx, did)).toMatchObject({
      subject: "acct:alice@l2.test",
      links: expect.arrayContaining([{ rel: "self", type: "application/activity+json", href: "https://l2.test/users/alice" }]),
    });
    await removeClientKey(t.ctx, "alice", did);
    expect(await rejectsWithAppError(webfinger(t.ctx, did))).toMatchObject({ status: 404, code: "not_found" });
  });

  it("answers 400 naming the defect for a malformed did:key resource", async () => {
    const err = await rejectsWithAppError(webfinger(t.ctx, "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc"));
    expect(err).toMatchObject({ status: 400, code: "invalid_request", message: expect.stringMatching(/not an Ed25519 key/) });
  });

  it("never maps a resource outside this server to a user", () => {
    expect(webfingerUsername(t.ctx, "https://l2.test.evil/users/alice")).toBeNull();
    expect(() => webfingerUsername(t.ctx, "acct:alice@l2.test@evil")).toThrow("acct:user@domain");
  });

  it("publishes NodeInfo 2.1 with live usage", async () => {
    expect(nodeinfoLinks(t.ctx)).toEqual({ links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: "https://l2.test/nodeinfo/2.1" }] });
    const doc = await nodeinfo(t.ctx, { name: "artdag-l2", version: "1.2.3" });
    expect(doc).toMatchObject({
      version: "2.1",
      software: { name: "artdag-l2", version: "1.2.3" },
      protocols: ["activitypub"],
      usage: { users: { total: 1 }, localPosts: 0 },
    });
  });

  it("builds the actor with its inboxes, collections and RSA key", async () => {
    const actor = await actorDocument(t.ctx, "alice");
    expect(actor).toMatchObject({
      id: "https://l2.test/users/alice",
      type: "Person",
      preferredUsername: "alice",
      inbox: "https://l2.test/users/alice/inbox",
      outbox: "https://l2.test/users/alice/outbox",
      followers: "https://l2.test/users/alice/followers",
      following: "https://l2.test/users/alice/following",
      endpoints: { sharedInbox: "https://l2.test/inbox" },
      publicKey: {
        id: "https://l2.test/users/alice#main-key",
        owner: "https://l2.test/users/alice",
        publicKeyPem: expect.stringContaining("BEGIN PUBLIC KEY"),
      },
    });
    expect(await rejectsWithAppError(actorDocument(t.ctx, "nobody"))).toMatchObject({ status: 404 });
    expect(await rejectsWithAppError(actorDocument(t.ctx, "../etc"))).toMatchObject({ status: 404 });
  });
});
