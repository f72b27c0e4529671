// Content negotiation on the paths a page and the API share (product.md §8): HTML when the Accept
// header lists text/html, JSON otherwise — to `Accept: application/json`, to `*/*`, and to a bare
// request with no Accept header at all (what `curl` without options is) — and JSON to every write.
import http from "node:http";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { startFakeL1 } from "./fixtures/fake-l1";
import { bearer, expectError, json } from "./support/api";
import { createAsset, newUser, randomHash, uniqueName, type Activity, type AssetView, type User } from "./support/registry";
import { MAIN } from "./support/servers";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

interface Bare {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A GET with exactly the headers given — no Accept unless asked — as `curl` sends it. */
function bareGet(path: string, headers: Record<string, string> = {}): Promise<Bare> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "localhost", port: MAIN.port, path, method: "GET", headers: { "user-agent": "curl/8.5.0", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

let owner: User;
let asset: AssetView;
let activity: Activity;

/**
 * Each shared path, and what its JSON must look like. An ActivityPub Accept (activity+json or
 * ld+json) gets the user's actor document instead of the profile JSON.
 */
function sharedPaths(accept = ""): { path: string; type: RegExp; check: (body: unknown) => void }[] {
  const activityPub = /application\/(activity\+json|ld\+json)/.test(accept);
  const list = (body: unknown) => {
    const page = body as { items: unknown; next_cursor: unknown };
    expect(Object.keys(page).sort()).toEqual(["items", "next_cursor"]);
    expect(Array.isArray(page.items) && page.items.length > 0).toBe(true);
    expect(page.next_cursor === null || typeof page.next_cursor === "string").toBe(true);
  };
  return [
    { path: "/assets", type: /^application\/json\b/, check: list },
    { path: "/users", type: /^application\/json\b/, check: list },
    activityPub
      ? {
          path: `/users/${owner.username}`,
          type: /^application\/activity\+json\b/,
          check: (body) => expect(body).toMatchObject({ id: `${MAIN.url}/users/${owner.username}`, type: "Person", preferredUsername: owner.username }),
        }
      : {
          path: `/users/${owner.username}`,
          type: /^application\/json\b/,
          check: (body) =>
            expect(body).toEqual({
              username: owner.username,
              actor_id: `${MAIN.url}/users/${owner.username}`,
              created_at: expect.any(String),
              asset_count: expect.any(Number),
            }),
        },
    { path: "/activities", type: /^application\/json\b/, check: list },
    { path: `/asset/${asset.name}`, type: /^application\/json\b/, check: (body) => expect(body).toEqual(asset) },
    { path: `/activity/${asset.activity_index}`, type: /^application\/activity\+json\b/, check: (body) => expect(body).toEqual(activity) },
  ];
}

test.beforeAll(async ({ request }) => {
  owner = await newUser(request, "negotiate");
  ({ asset, activity } = await createAsset(request, owner, { tags: ["negotiation"] }));
});

test("what Playwright's request sends: no Accept unless told, or only */*", async ({ request }) => {
  const echo = await startFakeL1();
  try {
    await request.get(`${echo.url}/anything`);
    const accept = echo.requests[0].headers.accept;
    expect([undefined, "*/*"]).toContain(accept);
  } finally {
    await echo.close();
  }
});

test.describe("JSON for API clients", () => {
  for (const [title, headers] of [
    ["Accept: application/json", { accept: "application/json" }],
    ["Accept: */*", { accept: "*/*" }],
    ["Accept: application/ld+json", { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' }],
    ["Playwright's default headers", {}],
  ] as const) {
    test(`${title}`, async ({ request }) => {
      for (const p of sharedPaths("accept" in headers ? headers.accept : "")) {
        const res = await request.get(p.path, { headers });
        expect(res.status(), p.path).toBe(200);
        expect(res.headers()["content-type"], p.path).toMatch(p.type);
        expect(res.headers()["vary"] ?? "", `${p.path}: a cache must keep the JSON and the page apart`).toMatch(/\bAccept\b/);
        p.check(await res.json());
      }
    });
  }

  test("a bare request without any Accept header (curl)", async () => {
    for (const p of sharedPaths()) {
      const res = await bareGet(p.path);
      expect(res.status, p.path).toBe(200);
      expect(res.headers["content-type"], p.path).toMatch(p.type);
      p.check(JSON.parse(res.text));
    }
  });

  test("/activity/{index} as JSON is byte for byte /activities/{index} and /activities/{id}", async ({ request }) => {
    const texts = await Promise.all(
      [`/activity/${asset.activity_index}`, `/activities/${asset.activity_index}`, `/activities/${asset.activity_id}`, `/activity/${asset.activity_id}`].map(
        async (path) => (await request.get(path, { headers: { accept: "application/activity+json" } })).text(),
      ),
    );
    expect(new Set(texts).size).toBe(1);
    expect((await bareGet(`/activity/${asset.activity_index}`)).text).toBe(texts[0]);
  });

  test("a missing thing is a JSON 404 for an API client", async ({ request }) => {
    await expectError(await request.get("/asset/no-such-asset", { headers: { accept: "application/json" } }), 404, "not_found");
    await expectError(await request.get("/users/no_such_user_here", { headers: { accept: "application/json" } }), 404, "not_found");
    const bare = await bareGet("/activity/999999");
    expect(bare.status).toBe(404);
    expect(JSON.parse(bare.text)).toMatchObject({ error: "not_found", message: expect.any(String) });
  });
});

test.describe("HTML for browsers", () => {
  for (const [title, accept] of [
    ["Accept: text/html", "text/html"],
    ["a browser's Accept", BROWSER_ACCEPT],
  ] as const) {
    test(`${title}`, async ({ request }) => {
      for (const p of sharedPaths()) {
        const res = await request.get(p.path, { headers: { accept } });
        expect(res.status(), p.path).toBe(200);
        expect(res.headers()["content-type"], p.path).toMatch(/^text\/html\b/);
        // The page and the JSON share a URL: the page must not be cached for everyone.
        const cacheSafe = /\bno-store\b|\bprivate\b/.test(res.headers()["cache-control"] ?? "") || /\bAccept\b/.test(res.headers()["vary"] ?? "");
        expect(cacheSafe, `${p.path}: cache-control ${res.headers()["cache-control"]}, vary ${res.headers()["vary"]}`).toBe(true);
        expect((await res.text()).trimStart().slice(0, 15).toLowerCase(), p.path).toBe("<!doctype html>");
      }
    });
  }
});

test.describe("writes to the shared URLs are always the API", () => {
  test("POST /assets answers JSON even to a browser's Accept", async ({ request }) => {
    const name = uniqueName("from-page-url");
    const res = await request.post("/assets", {
      headers: { ...json, ...bearer(owner.token), accept: BROWSER_ACCEPT },
      data: { name, content_hash: randomHash(), asset_type: "audio" },
    });
    expect(res.status(), await res.text()).toBe(201);
    expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
    expect(((await res.json()) as { asset: AssetView }).asset).toMatchObject({ name, owner: owner.username });
  });

  test("POST /assets without a token answers a JSON 401 even to a browser's Accept", async ({ request }) => {
    const res = await request.post("/assets", {
      headers: { ...json, accept: BROWSER_ACCEPT },
      data: { name: uniqueName("x"), content_hash: randomHash(), asset_type: "audio" },
    });
    await expectError(res, 401, "unauthorized");
  });

  for (const [method, path] of [
    ["POST", "/asset/anything"],
    ["DELETE", "/activity/1"],
    ["PUT", "/users"],
    ["POST", "/activities"],
  ] as const) {
    test(`${method} ${path} with a browser's Accept → JSON 405`, async ({ request }: { request: APIRequestContext }) => {
      const res = await request.fetch(path, { method, headers: { accept: BROWSER_ACCEPT } });
      await expectError(res, 405, "method_not_allowed");
    });
  }
});
