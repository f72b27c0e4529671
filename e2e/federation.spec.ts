// Discovery over HTTP (product.md §4): WebFinger, NodeInfo and actors, checked with our own eyes
// and with Fedify's client (the independent peer) resolving our actor.
import { lookupObject, Person } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import { expect, test } from "@playwright/test";
import { expectError } from "./support/api";
import { newUser, type User } from "./support/registry";
import { MAIN } from "./support/servers";

const host = new URL(MAIN.url).host;
let user: User;
test.beforeAll(async ({ request }) => {
  user = await newUser(request, "fedi");
});

test("WebFinger answers acct: and the actor URL with application/jrd+json and a self link", async ({ request }) => {
  const actor = `${MAIN.url}/users/${user.username}`;
  for (const resource of [`acct:${user.username}@${host}`, actor]) {
    const res = await request.get(`/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^application\/jrd\+json/);
    expect(await res.json()).toEqual({
      subject: `acct:${user.username}@${host}`,
      aliases: [actor],
      links: [
        { rel: "self", type: "application/activity+json", href: actor },
        { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: actor },
      ],
    });
  }
});

test("WebFinger: 404 for unknown users and other domains, 400 for a missing or malformed resource", async ({ request }) => {
  await expectError(await request.get(`/.well-known/webfinger?resource=acct:nobody_here@${host}`), 404, "not_found");
  await expectError(await request.get(`/.well-known/webfinger?resource=acct:${user.username}@elsewhere.example`), 404, "not_found");
  await expectError(await request.get("/.well-known/webfinger"), 400, "invalid_request");
  await expectError(await request.get("/.well-known/webfinger?resource=not%20a%20uri"), 400, "invalid_request");
});

test("NodeInfo 2.1 is linked from /.well-known/nodeinfo", async ({ request }) => {
  const links = await (await request.get("/.well-known/nodeinfo")).json();
  expect(links).toEqual({ links: [{ rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", href: `${MAIN.url}/nodeinfo/2.1` }] });
  const res = await request.get("/nodeinfo/2.1");
  expect(res.headers()["content-type"]).toContain("nodeinfo.diaspora.software/ns/schema/2.1");
  const doc = await res.json();
  expect(doc).toMatchObject({ version: "2.1", software: { name: "artdag-l2" }, protocols: ["activitypub"], openRegistrations: true });
  expect(doc.usage.users.total).toBeGreaterThanOrEqual(1);
});

test("the actor is a Person for ActivityPub clients, and Fedify resolves it", async ({ request }) => {
  const actorUrl = `${MAIN.url}/users/${user.username}`;
  for (const accept of ["application/activity+json", 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']) {
    const res = await request.get(`/users/${user.username}`, { headers: { accept } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^application\/activity\+json/);
    expect(await res.json()).toMatchObject({
      id: actorUrl,
      type: "Person",
      inbox: `${actorUrl}/inbox`,
      endpoints: { sharedInbox: `${MAIN.url}/inbox` },
      publicKey: { id: `${actorUrl}#main-key`, owner: actorUrl },
    });
  }
  // Fedify's loader with its preloaded JSON-LD contexts (no network), allowed to reach loopback.
  const loader = getDocumentLoader({ allowPrivateAddress: true });
  const person = await lookupObject(actorUrl, { documentLoader: loader, contextLoader: loader });
  expect(person).toBeInstanceOf(Person);
  expect((person as Person).preferredUsername).toBe(user.username);
  expect((person as Person).inboxId?.href).toBe(`${actorUrl}/inbox`);
  const key = await (person as Person).getPublicKey({ documentLoader: loader, contextLoader: loader });
  expect(key?.id?.href).toBe(`${actorUrl}#main-key`);
  await expectError(await request.get("/users/nobody_here", { headers: { accept: "application/activity+json" } }), 404, "not_found");
});
