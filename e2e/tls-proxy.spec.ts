// Behind a TLS reverse proxy (issue #12, item 3): a real nginx (Debian's package) terminates TLS
// with a self-signed certificate on https://localhost:8381 and forwards to our server on
// 127.0.0.1:8380, which runs with ARTDAG_SCHEME=https, ARTDAG_DOMAIN=localhost:8381 and
// TRUST_PROXY=true. Every page, the actor, WebFinger, NodeInfo, the inbox and the API answer through
// it as they do directly; a person registers and signs in and out in a browser over https; a Fedify
// peer's signed Follow reaches the inbox through the proxy.
import { randomUUID } from "node:crypto";
import { signRequest } from "@fedify/fedify";
import { Follow } from "@fedify/vocab";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { bearer, json, PASSWORD, uniqueUsername } from "./support/api";
import { startFedifyPeer, waitFor, type FedifyPeer } from "./support/fedify-peer";
import { NGINX, startTlsProxy, type TlsProxy } from "./support/nginx";
import { createAsset, newUser, type AssetView, type User } from "./support/registry";
import { BEHIND_TLS, TLS_PROXY_PORT } from "./support/servers";
import { startServer, wipeDataDir, type SpawnedServer } from "./support/spawn";

const PUBLIC = `https://localhost:${TLS_PROXY_PORT}`;
const HOST = `localhost:${TLS_PROXY_PORT}`;
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const AP = "application/activity+json";

test.skip(!NGINX, "nginx is not installed (apt-get install nginx): .ci/run installs it");

let app: SpawnedServer;
let proxy: TlsProxy;
let viaProxy: APIRequestContext;
let direct: APIRequestContext;
let user: User;
let asset: AssetView;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  wipeDataDir(BEHIND_TLS);
  app = await startServer(BEHIND_TLS, {
    HOST: "127.0.0.1",
    ARTDAG_SCHEME: "https",
    ARTDAG_DOMAIN: HOST,
    TRUST_PROXY: "true",
    // The Fedify peer of the inbox test listens on loopback.
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true",
  });
  proxy = await startTlsProxy({ port: TLS_PROXY_PORT, upstream: BEHIND_TLS.url });
  viaProxy = await playwrightRequest.newContext({ baseURL: PUBLIC, ignoreHTTPSErrors: true });
  direct = await playwrightRequest.newContext({ baseURL: BEHIND_TLS.url });
  user = await newUser(viaProxy, "tls");
  ({ asset } = await createAsset(viaProxy, user, { tags: ["behind-tls"] }));
});

test.afterAll(async () => {
  await viaProxy?.dispose();
  await direct?.dispose();
  await proxy?.stop();
  await app?.stop();
});

/** The paths a visitor, a fediverse server and an API client use, with the Accept each sends. */
function paths(): { path: string; accept: string; type: RegExp }[] {
  const html = /^text\/html\b/;
  const pages = [
    "/",
    "/assets",
    `/asset/${asset.name}`,
    "/activities",
    `/activity/${asset.activity_index}`,
    "/users",
    `/users/${user.username}`,
    "/renderers",
    "/register",
    "/login",
    "/logout",
    "/anchors",
    "/anchors/ui",
    "/download/client",
    "/settings/clients",
  ].map((path) => ({ path, accept: BROWSER_ACCEPT, type: html }));
  const apiJson = /^application\/json\b/;
  return [
    ...pages,
    { path: `/users/${user.username}`, accept: AP, type: /^application\/activity\+json\b/ },
    { path: `/users/${user.username}/outbox`, accept: AP, type: /^application\/activity\+json\b/ },
    { path: `/users/${user.username}/followers`, accept: AP, type: /^application\/activity\+json\b/ },
    { path: "/actor", accept: AP, type: /^application\/activity\+json\b/ },
    { path: `/.well-known/webfinger?resource=${encodeURIComponent(`acct:${user.username}@${HOST}`)}`, accept: "*/*", type: /^application\/jrd\+json\b/ },
    { path: "/.well-known/nodeinfo", accept: "*/*", type: apiJson },
    { path: "/nodeinfo/2.1", accept: "*/*", type: /json/ },
    { path: "/assets", accept: "application/json", type: apiJson },
    { path: `/asset/${asset.name}`, accept: "application/json", type: apiJson },
    { path: `/activities/${asset.activity_index}`, accept: "*/*", type: /^application\/activity\+json\b/ },
    { path: `/objects/${asset.content_hash}`, accept: AP, type: /json/ },
    { path: "/users", accept: "application/json", type: apiJson },
    { path: "/anchors", accept: "application/json", type: apiJson },
    { path: "/download/client", accept: "*/*", type: /javascript/ },
  ];
}

test("every page, the actor, WebFinger, NodeInfo and the API answer through nginx as they do directly", async () => {
  for (const p of paths()) {
    const [proxied, straight] = await Promise.all([
      viaProxy.get(p.path, { headers: { accept: p.accept }, maxRedirects: 0 }),
      direct.get(p.path, { headers: { accept: p.accept }, maxRedirects: 0 }),
    ]);
    const text = await proxied.text();
    expect(proxied.status(), `${p.path} (${p.accept}) through nginx: ${text.slice(0, 300)}`).toBe(straight.status());
    expect(proxied.status(), `${p.path} (${p.accept})`).toBeLessThan(400);
    if (proxied.status() >= 300) {
      // A redirect (a page for signed-in people) names the same place, never a plain-http URL.
      expect(proxied.headers().location, p.path).toBe(straight.headers().location);
      expect(proxied.headers().location ?? "", p.path).not.toMatch(/^http:/);
      continue;
    }
    expect(proxied.headers()["content-type"], p.path).toMatch(p.type);
    if (/json/.test(p.type.source)) {
      // Documents name the public https URL whichever way they were fetched.
      expect(text, p.path).toBe(await straight.text());
      expect(text, p.path).not.toMatch(/http:\/\/(localhost|127\.0\.0\.1)/);
    }
  }
  const actor = await (await viaProxy.get(`/users/${user.username}`, { headers: { accept: AP } })).json();
  expect(actor).toMatchObject({ id: `${PUBLIC}/users/${user.username}`, inbox: `${PUBLIC}/users/${user.username}/inbox` });
});

test("the API writes through nginx: registration, login and a registered asset, all with https URLs", async () => {
  const username = uniqueUsername("tlsapi");
  const registered = await viaProxy.post("/auth/register", { headers: json, data: { username, password: PASSWORD } });
  expect(registered.status(), await registered.text()).toBe(201);
  const grant = (await registered.json()) as { access_token: string; actor_id: string };
  expect(grant.actor_id).toBe(`${PUBLIC}/users/${username}`);
  const me = await viaProxy.get("/auth/me", { headers: bearer(grant.access_token) });
  expect(me.status()).toBe(200);
  // nginx's $request_id (32 hex digits), kept by the app behind a trusted proxy: one id in both logs.
  expect(me.headers()["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  expect(await me.json()).toMatchObject({ username });
  const created = await viaProxy.post("/assets", {
    headers: { ...json, ...bearer(grant.access_token) },
    data: { name: `tls-${randomUUID().slice(0, 8)}`, content_hash: randomUUID().replace(/-/g, "").padEnd(64, "0"), asset_type: "image" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { activity } = (await created.json()) as { activity: { id: string; actor: string } };
  expect(activity.id.startsWith(`${PUBLIC}/activities/`)).toBe(true);
  expect(activity.actor).toBe(`${PUBLIC}/users/${username}`);
});

test("a person registers, browses and logs out in a browser over https", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: PUBLIC, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => {
    if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`);
  });
  const username = uniqueUsername("tlsweb");
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(`${PUBLIC}/`);
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  // Over https the session cookie is a __Secure- cookie, sent only over TLS.
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name.startsWith("__Secure-authjs.session-token"))).toMatchObject({ secure: true, httpOnly: true });

  for (const [name, path] of [
    ["Assets", /\/assets$/],
    ["Activities", /\/activities$/],
    ["Users", /\/users$/],
    ["Renderers", /\/renderers$/],
    ["Anchors", /\/anchors(\/ui)?$/],
  ] as const) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  }
  await page.goto("/logout");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(`${PUBLIC}/`);
  await expect(page.getByTestId("session-state").getByRole("link", { name: "Log in" })).toBeVisible();
  expect(errors).toEqual([]);
  await context.close();
});

test("a Fedify peer's signed Follow reaches the inbox through nginx, and the follower is stored", async () => {
  let peer: FedifyPeer | undefined;
  try {
    peer = await startFedifyPeer({ firstKnock: "draft-cavage-http-signatures-12" });
    const actor = `${PUBLIC}/users/${user.username}`;
    for (const [spec, follower] of [
      ["draft-cavage-http-signatures-12", "bob"],
      ["rfc9421", "carol"],
    ] as const) {
      const follow = new Follow({ id: new URL(`/follows/${randomUUID()}`, peer.origin), actor: peer.actorUri(follower), object: new URL(actor) });
      const body = JSON.stringify(await follow.toJsonLd({ format: "compact" }));
      // Signed for our public URL, as a fediverse server signs it; nginx forwards it over http.
      const unsigned = new Request(`${actor}/inbox`, { method: "POST", headers: { "content-type": "application/activity+json" }, body });
      const signed = await signRequest(unsigned, peer.keys(follower).rsa.privateKey, peer.keyId(follower), { spec });
      const res = await viaProxy.post(`/users/${user.username}/inbox`, { headers: Object.fromEntries(signed.headers.entries()), data: body });
      expect(res.status(), `${spec}: ${await res.text()}`).toBe(202);
    }
    const followers = await viaProxy.get(`/users/${user.username}/followers?page=true`, { headers: { accept: AP } });
    expect(((await followers.json()) as { orderedItems: string[] }).orderedItems.sort()).toEqual(
      [peer.actorUri("bob").href, peer.actorUri("carol").href].sort(),
    );
    // Our signed Accepts reach the peer, naming the public https actor and key. (Fedify cannot
    // fetch that key to verify them: it does not trust this run's self-signed certificate.)
    const peerRef = peer;
    const accepts = await waitFor("both Accepts at the peer", () => {
      const posts = peerRef.inboxPosts.filter((p) => p.json?.type === "Accept");
      return posts.length >= 2 ? posts : undefined;
    });
    for (const post of accepts) {
      expect(post.json).toMatchObject({ type: "Accept", actor });
      expect(post.keyId).toBe(`${actor}#main-key`);
    }
  } finally {
    await peer?.close();
  }
});

test("a body over 1 MiB is refused with 413 through nginx too, and nothing is written", async () => {
  const res = await viaProxy.post("/assets", {
    headers: { ...json, ...bearer(user.token) },
    data: Buffer.alloc(1024 * 1024 + 10, 32),
  });
  expect(res.status()).toBe(413);
  expect(await res.json()).toMatchObject({ error: "payload_too_large" });
});
