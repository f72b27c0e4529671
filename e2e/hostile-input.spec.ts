// Hostile input over HTTP against the main server (issue #12 item 6), one table per class, each
// hostile value sent to each endpoint that takes it: text that is no storable text (NUL, lone
// surrogates as JSON escapes, and as raw bytes that are not UTF-8) in JSON bodies, forms, query
// strings and path segments; malformed percent-encodings; repeated and huge query parameters;
// numbers out of range; arrays where strings are expected; 10 000 levels of nesting; bodies that
// are no object; wrong Content-Types; server-action posts that are not our forms; and validly
// signed tokens for accounts that do not exist. Every answer is a 4xx `{error, message}` naming
// the field, and nothing is written. Requests go out through node:http, so paths and bytes
// arrive exactly as written here.
import { createHmac } from "node:crypto";
import http from "node:http";
import { encode } from "@auth/core/jwt";
import { expect, test } from "@playwright/test";
import { claimsFor, PASSWORD, signToken, uniqueUsername } from "./support/api";
import { newClientKey } from "./support/moo-auth";
import { newUser, randomHash, uniqueName, type User } from "./support/registry";
import { FAKE_L1, MAIN, MAIN_JWT_SECRET } from "./support/servers";

interface Answer {
  status: number;
  contentType: string;
  location: string;
  text: string;
  json: { error?: string; message?: string; fields?: Record<string, string>; [k: string]: unknown } | null;
}

/** One request through node:http: the path and the body bytes go out exactly as given. */
function raw(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Answer> {
  const body = typeof options.body === "string" ? Buffer.from(options.body, "utf8") : options.body ? Buffer.from(options.body) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        method,
        host: "localhost",
        port: MAIN.port,
        path,
        headers: { accept: "application/json", ...(body ? { "content-length": String(body.byteLength) } : {}), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: Answer["json"] = null;
          try {
            json = JSON.parse(text) as Answer["json"];
          } catch {
            // Not JSON: the assertions say so.
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            location: String(res.headers.location ?? ""),
            text,
            json,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Asserts a 4xx JSON `{error, message}` whose message names `field` (or matches the pattern). */
function expectRefusal(answer: Answer, status: number, error: string, names: string | RegExp, what: string): void {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBe(status);
  expect(answer.contentType, `${what}: errors are JSON`).toMatch(/^application\/json\b/);
  expect(answer.json?.error, what).toBe(error);
  const message = String(answer.json?.message ?? "");
  if (typeof names === "string") expect(message.startsWith(`${names}: `) || message.includes(names), `${what}: "${message}" names ${names}`).toBe(true);
  else expect(message, what).toMatch(names);
}

interface Stats {
  users: number;
  assets: number;
  activities: number;
  followers: number;
  anchors: number;
}

async function stats(): Promise<Stats> {
  const answer = await raw("GET", "/", { headers: { accept: "application/json" } });
  expect(answer.status).toBe(200);
  const { users, assets, activities, followers, anchors } = answer.json as unknown as Stats;
  return { users, assets, activities, followers, anchors };
}

const bearer = (user: { token: string }) => ({ authorization: `Bearer ${user.token}` });
const jsonType = { "content-type": "application/json" };
const formType = { "content-type": "application/x-www-form-urlencoded" };

/** A string value a client can send in JSON: as a JSON escape, or as raw bytes inside the quotes. */
interface HostileText {
  label: string;
  /** What goes between the quotes in the JSON text. */
  inJson: string | number[];
  /** The same thing percent-encoded, for forms, queries and paths. */
  encoded: string;
  says: RegExp;
}

const HOSTILE_TEXT: HostileText[] = [
  { label: "NUL (\\u0000)", inJson: "a\\u0000b", encoded: "a%00b", says: /NUL/ },
  { label: "a lone high surrogate (\\ud800)", inJson: "\\ud800", encoded: "%ED%A0%80", says: /surrogate|UTF-8/ },
  { label: "a lone low surrogate (\\udc00)", inJson: "x\\udc00", encoded: "x%ED%B0%80", says: /surrogate|UTF-8/ },
  { label: "a surrogate as raw UTF-8 bytes (ED A0 80)", inJson: [0xed, 0xa0, 0x80], encoded: "%ED%A0%80", says: /UTF-8/ },
  { label: "a byte that is never UTF-8 (FF)", inJson: [0xff], encoded: "%FF", says: /UTF-8/ },
];

const PLACEHOLDER = "\u2603HOSTILE\u2603";

/** `template` as JSON with the placeholder string (a value or a key) replaced by the hostile text. */
function jsonWith(template: unknown, hostile: HostileText): Buffer {
  const text = JSON.stringify(template);
  const [before, after] = text.split(PLACEHOLDER);
  expect(after, "the template holds the placeholder once").toBeDefined();
  const middle = typeof hostile.inJson === "string" ? Buffer.from(hostile.inJson, "utf8") : Buffer.from(hostile.inJson);
  return Buffer.concat([Buffer.from(before, "utf8"), middle, Buffer.from(after, "utf8")]);
}

/** Sets the placeholder at a dotted path of a copy of `base` (`metadata.{key}` makes it a key). */
function withPlaceholder(base: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(base);
  const parts = path.split(".");
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (last === "{key}") node[PLACEHOLDER] = 1;
  else if (/^\d+$/.test(last) && Array.isArray(node)) (node as unknown[])[Number(last)] = PLACEHOLDER;
  else node[last] = PLACEHOLDER;
  return copy;
}

let alice: User;

test.beforeAll(async ({ request }) => {
  alice = await newUser(request, "hostile");
});

/** The JSON-body endpoints, a sound body for each, the fields a client fills, and what a write would change. */
function bodyEndpoints() {
  const asset = () => ({
    name: uniqueName("hostile"),
    content_hash: randomHash(),
    asset_type: "image",
    tags: ["ok", "fine"],
    metadata: { note: "x", deep: { a: { b: ["x"] } } },
    url: "https://example.test/a",
    ipfs_cid: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  });
  const keysOf = async () => {
    const answer = await raw("GET", "/auth/client-keys", { headers: bearer(alice) });
    return (answer.json?.items as unknown[]).length;
  };
  // The caller's renderer attachments, as GET /renderers lists them.
  const renderersOf = async () => JSON.stringify((await raw("GET", "/renderers", { headers: bearer(alice) })).json);
  return [
    {
      method: "POST",
      title: "/auth/register",
      path: () => "/auth/register",
      auth: false,
      base: () => ({ username: uniqueUsername("h"), password: PASSWORD }),
      fields: ["username", "password"],
      written: async () => (await stats()).users,
      form: false,
    },
    {
      method: "POST",
      title: "/auth/login",
      path: () => "/auth/login",
      auth: false,
      base: () => ({ username: alice.username, password: PASSWORD }),
      fields: ["username", "password"],
      written: async () => (await stats()).users,
      form: false,
    },
    {
      method: "POST",
      title: "/assets",
      path: () => "/assets",
      auth: true,
      base: asset,
      fields: ["name", "content_hash", "asset_type", "tags.1", "metadata.note", "metadata.{key}", "metadata.deep.a.b.0", "url", "ipfs_cid"],
      written: async () => (await stats()).activities,
      form: false,
    },
    {
      method: "POST",
      title: "/assets/record-run",
      path: () => "/assets/record-run",
      auth: true,
      base: () => ({ run_id: "completed", l1_server: FAKE_L1.url, output_name: uniqueName("run"), asset_type: "video" }),
      fields: ["run_id", "l1_server", "output_name", "asset_type"],
      written: async () => (await stats()).activities,
      form: false,
    },
    {
      method: "POST",
      title: "/users/{user}/outbox",
      path: () => `/users/${alice.username}/outbox`,
      auth: true,
      base: () => ({ type: "Create", object: { type: "Image", name: uniqueName("c2s"), contentHash: randomHash(), tag: ["a"], metadata: { k: "v" } } }),
      fields: ["type", "object.name", "object.metadata.k", "object.metadata.{key}"],
      written: async () => (await stats()).activities,
      form: false,
    },
    {
      method: "POST",
      title: "/auth/client-keys",
      path: () => "/auth/client-keys",
      auth: true,
      base: () => ({ did_key: newClientKey().did, label: "laptop" }),
      fields: ["did_key", "label"],
      written: keysOf,
      form: true,
    },
    {
      method: "POST",
      title: "/renderers/attach",
      path: () => "/renderers/attach",
      auth: true,
      base: () => ({ l1_server: FAKE_L1.url }),
      fields: ["l1_server"],
      written: renderersOf,
      form: true,
    },
    {
      method: "POST",
      title: "/renderers/detach",
      path: () => "/renderers/detach",
      auth: true,
      base: () => ({ l1_server: FAKE_L1.url }),
      fields: ["l1_server"],
      written: renderersOf,
      form: true,
    },
    {
      method: "POST",
      title: "/auth/verify",
      path: () => "/auth/verify",
      auth: false,
      base: () => ({ token: "x.y.z", l1_server: FAKE_L1.url }),
      fields: ["token", "l1_server"],
      written: async () => (await stats()).users,
      form: true,
    },
  ];
}

/** The field name a refusal names for a placeholder path (a bad key is named by its object). */
function namedField(path: string): string {
  return path.endsWith(".{key}") ? path.slice(0, -".{key}".length) : path;
}

test.describe("hostile text in JSON bodies → 400 naming the field, nothing written", () => {
  for (const endpoint of bodyEndpoints()) {
    test(`${endpoint.method} ${endpoint.title}`, async () => {
      for (const field of endpoint.fields) {
        for (const hostile of HOSTILE_TEXT) {
          const before = await endpoint.written();
          const body = jsonWith(withPlaceholder(endpoint.base(), field), hostile);
          const answer = await raw(endpoint.method, endpoint.path(), { headers: { ...jsonType, ...(endpoint.auth ? bearer(alice) : {}) }, body });
          const what = `${endpoint.path()} ${field} with ${hostile.label}`;
          const named = namedField(field);
          expectRefusal(answer, 400, "invalid_request", named, what);
          expect(answer.json?.message, what).toMatch(hostile.says);
          expect(answer.json?.fields, what).toEqual({ [named]: expect.stringMatching(hostile.says) });
          expect(await endpoint.written(), `${what}: nothing written`).toBe(before);
        }
      }
    });
  }

  test("the same bodies without the hostile text are accepted (the table is not refusing them for another reason)", async () => {
    const asset = bodyEndpoints().find((e) => e.title === "/assets")!;
    const before = (await stats()).assets;
    const body = asset.base() as Record<string, unknown>;
    (body.metadata as Record<string, unknown>).note = "café 😀 \uFFFD";
    const answer = await raw("POST", "/assets", { headers: { ...jsonType, ...bearer(alice) }, body: JSON.stringify(body) });
    expect(answer.status, answer.text).toBe(201);
    expect((await stats()).assets).toBe(before + 1);
    const key = await raw("POST", "/auth/client-keys", {
      headers: { ...formType, ...bearer(alice) },
      body: `did_key=${encodeURIComponent(newClientKey().did)}&label=caf%C3%A9`,
    });
    expect(key.status, key.text).toBe(201);
  });
});

test.describe("the shape of JSON bodies → 4xx with a clear message, nothing written", () => {
  const shapes: { label: string; body: string | Buffer; type?: string; status: number; error: string; names: string | RegExp }[] = [
    { label: "an array", body: "[]", status: 400, error: "invalid_request", names: /^body: .*not an array/ },
    { label: "a string", body: '"hello"', status: 400, error: "invalid_request", names: /^body: .*not a string/ },
    { label: "null", body: "null", status: 400, error: "invalid_request", names: /^body: .*not null/ },
    { label: "a number", body: "42", status: 400, error: "invalid_request", names: /^body: .*not a number/ },
    {
      label: "10 000 nested arrays",
      body: `${"[".repeat(10_000)}${"]".repeat(10_000)}`,
      status: 400,
      error: "invalid_request",
      names: /^body: .*nested deeper/,
    },
    {
      label: "10 000 nested objects in a field",
      body: `{"metadata":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`,
      status: 400,
      error: "invalid_request",
      names: /^metadata: .*nested deeper/,
    },
    { label: "an empty body", body: "", status: 400, error: "malformed_json", names: /empty/ },
    { label: "JSON cut short", body: '{"name":', status: 400, error: "malformed_json", names: /not valid JSON/ },
    { label: "a __proto__ key", body: '{"__proto__":{"admin":true}}', status: 400, error: "invalid_request", names: /__proto__/ },
    { label: "bytes that are not UTF-8 outside strings", body: Buffer.from([0x7b, 0xff, 0x7d]), status: 400, error: "malformed_json", names: /UTF-8/ },
    {
      label: "a form Content-Type",
      body: "{}",
      type: "application/x-www-form-urlencoded",
      status: 415,
      error: "unsupported_media_type",
      names: /application\/json/,
    },
    {
      label: "a multipart Content-Type",
      body: "{}",
      type: "multipart/form-data; boundary=x",
      status: 415,
      error: "unsupported_media_type",
      names: /application\/json/,
    },
    { label: "an XML Content-Type", body: "<a/>", type: "application/xml", status: 415, error: "unsupported_media_type", names: /application\/json/ },
  ];
  for (const endpoint of bodyEndpoints()) {
    test(`${endpoint.method} ${endpoint.title}`, async () => {
      const before = await stats();
      for (const shape of shapes) {
        // Form endpoints read forms: a urlencoded body is theirs, so only the others are refused there.
        if (endpoint.form && shape.type === "application/x-www-form-urlencoded") continue;
        const names = endpoint.form && shape.status === 415 ? /application\/json or application\/x-www-form-urlencoded/ : shape.names;
        // An empty body is an empty form where forms are read (the required field is then named).
        if (endpoint.form && shape.label === "an empty body") continue;
        const answer = await raw(endpoint.method, endpoint.path(), {
          headers: { "content-type": shape.type ?? "application/json", ...(endpoint.auth ? bearer(alice) : {}) },
          body: shape.body,
        });
        expectRefusal(answer, shape.status, shape.error, names, `${endpoint.path()} with ${shape.label}`);
      }
      expect(await stats(), "nothing written").toEqual(before);
    });
  }

  test("numbers out of range and arrays where strings are expected", async () => {
    const before = await stats();
    const cases: [string, string, string | RegExp][] = [
      ["a name that is an array", `{"name":["a"],"content_hash":"${randomHash()}","asset_type":"image"}`, "name"],
      ["a name that is a number", `{"name":1e400,"content_hash":"${randomHash()}","asset_type":"image"}`, "name"],
      ["tags that are a string", `{"name":"${uniqueName("n")}","content_hash":"${randomHash()}","asset_type":"image","tags":"a"}`, "tags"],
      ["metadata with 1e400", `{"name":"${uniqueName("n")}","content_hash":"${randomHash()}","asset_type":"image","metadata":{"n":1e400}}`, "metadata"],
    ];
    for (const [label, body, field] of cases) {
      expectRefusal(await raw("POST", "/assets", { headers: { ...jsonType, ...bearer(alice) }, body }), 400, "invalid_request", field, label);
    }
    expectRefusal(
      await raw("POST", "/auth/login", { headers: jsonType, body: '{"username":["a"],"password":"x"}' }),
      400,
      "invalid_request",
      "username",
      "login with an array",
    );
    expect(await stats()).toEqual(before);
  });
});

test.describe("hostile text in forms → 400 naming the field, nothing written", () => {
  const formCases: { label: string; body: (field: string) => string; says: RegExp; field?: string }[] = [
    ...HOSTILE_TEXT.map((h) => ({ label: h.label, body: (f: string) => `${f}=${h.encoded}`, says: h.says })),
    { label: "a malformed escape (%zz)", body: (f: string) => `${f}=%zz`, says: /percent/ },
    { label: "a truncated escape (%E0%A4%A)", body: (f: string) => `${f}=%E0%A4%A`, says: /percent/ },
    { label: "the field twice", body: (f: string) => `${f}=a&${f}=b`, says: /more than once/ },
    { label: "NUL in a field's name", body: () => `x%00=1`, says: /NUL/, field: "form" },
  ];
  for (const endpoint of bodyEndpoints().filter((e) => e.form)) {
    test(`${endpoint.method} ${endpoint.title} (application/x-www-form-urlencoded)`, async () => {
      for (const field of endpoint.fields) {
        for (const c of formCases) {
          const before = await endpoint.written();
          const answer = await raw(endpoint.method, endpoint.path(), {
            headers: { ...formType, ...(endpoint.auth ? bearer(alice) : {}) },
            body: c.body(field),
          });
          const what = `${endpoint.path()} ${field} with ${c.label}`;
          expectRefusal(answer, 400, "invalid_request", c.field ?? field, what);
          expect(answer.json?.message, what).toMatch(c.says);
          expect(await endpoint.written(), `${what}: nothing written`).toBe(before);
        }
      }
    });
  }
});

test.describe("hostile query strings → 400 naming the parameter", () => {
  const queryEndpoints: { title?: string; path: () => string; params: string[]; auth?: boolean }[] = [
    { path: () => "/assets", params: ["q", "type", "tag", "owner", "cursor", "limit"] },
    { path: () => "/activities", params: ["cursor", "limit", "actor"] },
    { path: () => "/users", params: ["cursor", "limit"] },
    { path: () => "/anchors", params: ["cursor", "limit"] },
    { path: () => `/anchors/${"0".repeat(64)}`, params: ["cursor"] },
    { title: "/users/{user}/outbox", path: () => `/users/${alice.username}/outbox`, params: ["page", "max", "min"] },
    { title: "/users/{user}/followers", path: () => `/users/${alice.username}/followers`, params: ["page", "max", "min"] },
    { title: "/users/{user}/following", path: () => `/users/${alice.username}/following`, params: ["page", "max", "min"] },
    { title: "/users/{user}/inbox", path: () => `/users/${alice.username}/inbox`, params: ["page", "max", "min"], auth: true },
    { path: () => "/auth/client-keys", params: ["cursor", "limit"], auth: true },
    { path: () => "/.well-known/webfinger", params: ["resource"] },
  ];
  // Next hands routes a query string it has decoded and encoded again: escapes that are not UTF-8
  // (%FF, an encoded surrogate) arrive as U+FFFD and malformed ones (%zz) as the literal text, both
  // storable. Those may be refused (400 naming the parameter, for whatever reason) or taken as that
  // text (a search that finds nothing), never a 5xx. NUL and a repeated name are always refused.
  const values: { label: string; query: (p: string) => string; says: RegExp; fffdAllowed?: boolean }[] = [
    ...HOSTILE_TEXT.map((h) => ({ label: h.label, query: (p: string) => `${p}=${h.encoded}`, says: h.says, fffdAllowed: !/NUL/.test(h.label) })),
    { label: "a malformed escape (%zz)", query: (p: string) => `${p}=%zz`, says: /percent/, fffdAllowed: true },
    { label: "a truncated escape (%E0%A4%A)", query: (p: string) => `${p}=%E0%A4%A`, says: /percent/, fffdAllowed: true },
    { label: "a lone %", query: (p: string) => `${p}=abc%`, says: /percent/, fffdAllowed: true },
    { label: "the parameter twice", query: (p: string) => `${p}=1&${p}=2`, says: /more than once/ },
  ];
  for (const endpoint of queryEndpoints) {
    test(`GET ${endpoint.title ?? endpoint.path()}`, async () => {
      for (const param of endpoint.params) {
        for (const v of values) {
          const answer = await raw("GET", `${endpoint.path()}?${v.query(param)}`, { headers: endpoint.auth ? bearer(alice) : {} });
          const what = `${endpoint.path()}?${v.query(param)}`;
          if (v.fffdAllowed) {
            expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
            if (answer.status === 400) expectRefusal(answer, 400, "invalid_request", param, what);
            continue;
          }
          expectRefusal(answer, 400, "invalid_request", param, what);
          expect(answer.json?.message, what).toMatch(v.says);
        }
      }
    });
  }

  test("numbers out of range, huge values and huge query strings", async () => {
    for (const q of ["limit=1e400", "limit=-1", "limit=0", "limit=101", "limit=1.5", "limit=abc", "cursor=99999999999", "cursor=-1", "cursor=1e3"]) {
      expectRefusal(await raw("GET", `/assets?${q}`), 400, "invalid_request", q.split("=")[0], q);
    }
    expectRefusal(await raw("GET", `/assets?q=${"a".repeat(10_000)}`), 400, "invalid_request", "q", "a 10 000-character q");
    // A query string longer than the server's header limit is refused by Node before any handler (431).
    const huge = await raw("GET", `/assets?x=${"a".repeat(100_000)}`);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    // Many parameters of unknown names are ignored, not an error: the page of assets comes back.
    const many = await raw("GET", `/assets?${Array.from({ length: 500 }, (_, i) => `p${i}=${i}`).join("&")}`);
    expect(many.status).toBe(200);
  });
});

test.describe("hostile path segments → 400 (never a database error)", () => {
  // NUL is always refused, naming the segment. An escape that does not decode (not UTF-8, or
  // malformed) is refused before routing (400) or reaches the route as text that names nothing
  // (404): never a 5xx.
  const segments: { label: string; value: string; says: RegExp; fffdAllowed?: boolean }[] = [
    { label: "NUL", value: "a%00b", says: /NUL|percent/ },
    { label: "an encoded surrogate", value: "%ED%A0%80", says: /UTF-8|percent/, fffdAllowed: true },
    { label: "a byte that is never UTF-8", value: "%FF", says: /UTF-8|percent/, fffdAllowed: true },
    { label: "a malformed escape", value: "%zz", says: /percent/, fffdAllowed: true },
    { label: "a truncated escape", value: "%E0%A4%A", says: /percent/, fffdAllowed: true },
  ];
  const paths: { method: string; path: (x: string) => string; field: string; auth?: boolean }[] = [
    { method: "GET", path: (x) => `/assets/${x}`, field: "name" },
    { method: "GET", path: (x) => `/asset/${x}`, field: "name" },
    { method: "GET", path: (x) => `/objects/${x}`, field: "hash" },
    { method: "GET", path: (x) => `/activities/${x}`, field: "ref" },
    { method: "GET", path: (x) => `/activities/${x}/anchor`, field: "ref" },
    { method: "GET", path: (x) => `/activities/${x}/deliveries`, field: "ref" },
    { method: "GET", path: (x) => `/activities/${x}/ots`, field: "ref" },
    { method: "GET", path: (x) => `/anchors/${x}`, field: "root" },
    { method: "POST", path: (x) => `/anchors/${x}/upgrade`, field: "root", auth: true },
    { method: "POST", path: (x) => `/anchors/${x}/verify`, field: "root", auth: true },
    { method: "GET", path: (x) => `/users/${x}`, field: "username" },
    { method: "GET", path: (x) => `/users/${x}/outbox`, field: "username" },
    { method: "GET", path: (x) => `/users/${x}/followers`, field: "username" },
    { method: "GET", path: (x) => `/users/${x}/following`, field: "username" },
    { method: "GET", path: (x) => `/users/${x}/inbox`, field: "username", auth: true },
    { method: "POST", path: (x) => `/users/${x}/inbox`, field: "username" },
    { method: "POST", path: (x) => `/users/${x}/outbox`, field: "username", auth: true },
    { method: "DELETE", path: (x) => `/auth/client-keys/${x}`, field: "did", auth: true },
  ];
  for (const p of paths) {
    test(`${p.method} ${p.path("{x}")}`, async () => {
      const before = await stats();
      for (const s of segments) {
        const answer = await raw(p.method, p.path(s.value), {
          headers: { ...(p.auth ? bearer(alice) : {}), ...(p.method === "POST" ? jsonType : {}) },
          body: p.method === "POST" ? "{}" : undefined,
        });
        const what = `${p.method} ${p.path(s.value)}`;
        if (s.fffdAllowed && answer.status === 404) {
          expect(answer.json?.error, what).toBe("not_found");
          continue;
        }
        // Named by the segment, or (a malformed escape caught before routing) as the path.
        expectRefusal(answer, 400, "invalid_request", new RegExp(`^(${p.field}: |The path )`), what);
        expect(answer.json?.message, what).toMatch(s.says);
      }
      expect(await stats()).toEqual(before);
    });
  }

  test("pages answer their not-found page or ignore the filter, never 500", async () => {
    for (const path of [
      "/asset/a%00b",
      "/users/a%00b",
      "/activity/a%00b",
      "/asset/%ED%A0%80",
      "/assets?q=a%00b",
      "/assets?tag=%ED%A0%80",
      "/assets?q=a&q=b",
      `/users/${"x".repeat(40)}?q=%00`,
      "/registerPublicKey?key=did:key:z6Mk%00",
      "/login?next=/%00",
      "/register?next=%ED%A0%80",
    ]) {
      const answer = await raw("GET", path, { headers: { accept: "text/html" } });
      expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    }
    expect((await raw("GET", "/assets?q=a%00b", { headers: { accept: "text/html" } })).status).toBe(200);
  });
});

test("next-auth's own endpoints answer hostile input without a 500", async () => {
  const cases: [string, string, Record<string, string>, string?][] = [
    ["POST", "/api/auth/callback/credentials", formType, "token=%00&csrfToken=x"],
    ["POST", "/api/auth/callback/credentials", formType, "token=%ED%A0%80&csrfToken=%zz"],
    ["POST", "/api/auth/callback/credentials", { ...formType, origin: "https://evil.test" }, "token=x"],
    ["POST", "/api/auth/callback/credentials", jsonType, "[{,,"],
    ["POST", "/api/auth/signin/credentials", { "content-type": "multipart/form-data; boundary=XX" }, "--XX\r\nbroken"],
    ["GET", "/api/auth/session", { cookie: "authjs.session-token=%00%ED%A0%80" }],
    ["GET", "/api/auth/session", { cookie: `authjs.session-token=${"a".repeat(3000)}` }],
    ["GET", "/api/auth/providers?x=%00", {}],
    ["GET", "/api/auth/%00", {}],
  ];
  for (const [method, path, headers, body] of cases) {
    const answer = await raw(method, path, { headers, body });
    expect(answer.status, `${method} ${path} ${body ?? ""}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
  }
});

/** A next-auth session cookie carrying `accessToken`, encrypted as the main server does (its secret is known to the suite). */
async function sessionCookie(accessToken: string, username: string): Promise<string> {
  const secret = createHmac("sha256", new TextEncoder().encode(MAIN_JWT_SECRET)).update("artdag-l2 browser session v1").digest("hex");
  const name = "authjs.session-token";
  const value = await encode({ token: { sub: username, name: username, accessToken }, secret, salt: name });
  return `${name}=${value}`;
}

test.describe("a validly signed token for an account that does not exist → 401 everywhere", () => {
  test("every endpoint that takes a token refuses it, and nothing is written", async () => {
    const ghost = uniqueUsername("ghost");
    const token = await signToken(claimsFor(MAIN.url, ghost), MAIN_JWT_SECRET);
    // The same forgery for an existing account works: the secret is right, only the account is missing.
    const real = await signToken(claimsFor(MAIN.url, alice.username), MAIN_JWT_SECRET);
    expect((await raw("GET", "/auth/me", { headers: { authorization: `Bearer ${real}` } })).status).toBe(200);

    const before = await stats();
    const auth = { authorization: `Bearer ${token}` };
    const asset = JSON.stringify({ name: uniqueName("ghost"), content_hash: randomHash(), asset_type: "image" });
    const calls: [string, string, string | undefined, Record<string, string>?][] = [
      ["GET", "/auth/me", undefined],
      ["POST", "/assets", asset],
      ["POST", "/assets/record-run", JSON.stringify({ run_id: "completed", l1_server: FAKE_L1.url, output_name: uniqueName("g") })],
      ["POST", `/users/${ghost}/outbox`, JSON.stringify({ type: "Create", object: { name: uniqueName("g"), contentHash: randomHash() } })],
      ["GET", `/users/${ghost}/inbox`, undefined],
      ["POST", "/renderers/attach", JSON.stringify({ l1_server: FAKE_L1.url })],
      ["POST", "/renderers/detach", JSON.stringify({ l1_server: FAKE_L1.url })],
      ["GET", "/renderers", undefined],
      ["GET", "/auth/client-keys", undefined],
      ["POST", "/auth/client-keys", JSON.stringify({ did_key: newClientKey().did })],
      ["DELETE", `/auth/client-keys/${encodeURIComponent(newClientKey().did)}`, undefined],
      ["POST", "/auth/logout", undefined],
      ["POST", "/anchors", undefined],
      ["POST", `/anchors/${"0".repeat(64)}/upgrade`, undefined],
      ["POST", `/anchors/${"0".repeat(64)}/verify`, undefined],
    ];
    for (const [method, path, body] of calls) {
      const answer = await raw(method, path, { headers: { ...auth, ...(body ? jsonType : {}) }, body });
      expectRefusal(answer, 401, "unauthorized", /./, `${method} ${path} as a ghost`);
    }
    // The browser session: a cookie carrying the ghost's token is no session at all.
    const cookie = await sessionCookie(token, ghost);
    const withCookie = await raw("GET", "/auth/me", { headers: { cookie } });
    expectRefusal(withCookie, 401, "unauthorized", /./, "/auth/me with a ghost's session cookie");
    const write = await raw("POST", "/assets", { headers: { cookie, origin: MAIN.url, ...jsonType }, body: asset });
    expectRefusal(write, 401, "unauthorized", /./, "POST /assets with a ghost's session cookie");
    // A renderer token scoped to an L1 for the ghost: introspection says inactive (401).
    const scoped = await signToken({ ...claimsFor(MAIN.url, ghost), l1_server: FAKE_L1.url, sid: "0".repeat(64) } as never, MAIN_JWT_SECRET);
    const verify = await raw("POST", "/auth/verify", { headers: jsonType, body: JSON.stringify({ token: scoped, l1_server: FAKE_L1.url }) });
    expect(verify.status).toBe(401);
    expect(verify.json).toEqual({ valid: false, active: false });
    expect(await stats()).toEqual(before);
  });
});

/** The id of a page's form action and its state key, from the hidden fields React renders for a form without JavaScript. */
async function actionIdOf(path: string, headers: Record<string, string> = {}): Promise<{ id: string; key: string }> {
  const page = await raw("GET", path, { headers: { accept: "text/html", ...headers } });
  const id = /\$ACTION_1:0" value="\{&quot;id&quot;:&quot;([0-9a-f]+)&quot;/.exec(page.text);
  const key = /name="\$ACTION_KEY" value="([^"]+)"/.exec(page.text);
  expect(id, `${path} renders a form action`).not.toBeNull();
  expect(key, `${path} renders the action's state key`).not.toBeNull();
  return { id: id![1], key: key![1] };
}

function multipart(fields: [string, string][], boundary = "----hostile"): { body: string; type: string } {
  const body =
    fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join("") + `--${boundary}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

test.describe("server-action posts that are not our forms → 4xx", () => {
  let loginAction: string;
  let registerAction: string;
  const keys = new Map<string, string>();
  test.beforeAll(async () => {
    const login = await actionIdOf("/login");
    const register = await actionIdOf("/register");
    loginAction = login.id;
    registerAction = register.id;
    keys.set(login.id, login.key).set(register.id, register.key);
  });
  const noJsForm = (id: string, fields: [string, string][]) =>
    multipart([
      ["$ACTION_REF_1", ""],
      ["$ACTION_1:0", JSON.stringify({ id, bound: "$@1" })],
      ["$ACTION_1:1", "[{}]"],
      ["$ACTION_KEY", keys.get(id) ?? ""],
      ...fields,
    ]);

  test("an unknown action id → 4xx, fetch style and no-JavaScript form", async () => {
    const unknown = "00" + "deadbeef".repeat(5);
    const fetchStyle = await raw("POST", "/login", {
      headers: { "next-action": unknown, "content-type": "text/plain;charset=UTF-8", origin: MAIN.url },
      body: "[]",
    });
    expect(fetchStyle.status, fetchStyle.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
    expect(fetchStyle.status).toBeLessThan(500);
    const badShape = await raw("POST", "/login", { headers: { "next-action": "x", "content-type": "text/plain;charset=UTF-8", origin: MAIN.url }, body: "[]" });
    expect(badShape.status).toBeGreaterThanOrEqual(400);
    expect(badShape.status).toBeLessThan(500);
    const form = noJsForm(unknown, [
      ["username", alice.username],
      ["password", PASSWORD],
    ]);
    const noJs = await raw("POST", "/login", { headers: { "content-type": form.type, origin: MAIN.url }, body: form.body });
    expect(noJs.status).toBeGreaterThanOrEqual(400);
    expect(noJs.status).toBeLessThan(500);
  });

  test("a login action called with something else than a form answers the form's error, not a 500", async () => {
    for (const page of ["/login", "/register", "/assets"]) {
      const answer = await raw("POST", page, {
        headers: {
          "next-action": page === "/register" ? registerAction : loginAction,
          "content-type": "text/plain;charset=UTF-8",
          origin: MAIN.url,
          accept: "text/x-component",
        },
        body: "[]",
      });
      expect(answer.status, `${page}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
      expect(answer.text, page).toContain("submit the form on this site");
    }
  });

  test("NUL and lone surrogates in the login and register forms: the form names the field, no account, no session", async () => {
    const before = await stats();
    for (const [field, value] of [
      ["username", "al\u0000ice"],
      ["password", "pass\u0000word1"],
    ] as const) {
      const fields: [string, string][] = [
        ["username", uniqueUsername("f")],
        ["password", PASSWORD],
        ["confirm", PASSWORD],
      ];
      const i = fields.findIndex(([n]) => n === field);
      fields[i] = [field, value];
      if (field === "password") fields[2] = ["confirm", value];
      for (const [page, id] of [
        ["/login", loginAction],
        ["/register", registerAction],
      ] as const) {
        const form = noJsForm(id, fields);
        const answer = await raw("POST", page, { headers: { "content-type": form.type, origin: MAIN.url, accept: "text/html" }, body: form.body });
        expect(answer.status, `${page} ${field}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
        expect(answer.text, `${page} ${field}`).toContain("NUL");
      }
    }
    expect(await stats()).toEqual(before);
  });

  test("a `next` path with NUL, controls or non-ASCII after a good login goes home, not to a 500", async () => {
    for (const next of ["/a\u0000b", "/a\r\nx-injected: 1", "/café", "/\ud800"]) {
      const form = noJsForm(loginAction, [
        ["username", alice.username],
        ["password", PASSWORD],
        ["next", next],
      ]);
      const answer = await raw("POST", "/login", { headers: { "content-type": form.type, origin: MAIN.url, accept: "text/html" }, body: form.body });
      expect(answer.status, `${JSON.stringify(next)}: ${answer.text.slice(0, 200)}`).toBe(303);
      expect(new URL(answer.location, MAIN.url).pathname, JSON.stringify(next)).toBe("/");
    }
  });

  // Next 16 itself answers 500 to these (vercel/next.js#92703, #86945): the front door (lib/front)
  // refuses them first with lib/http/server-actions.ts (screenServerActionHeaders / screenServerActionBody).
  test("a foreign, null or malformed Origin → 403 csrf_rejected", async () => {
    for (const origin of ["https://evil.test", "null", "http://a b", `${MAIN.url}.evil.test`]) {
      const fetchStyle = await raw("POST", "/login", {
        headers: { "next-action": loginAction, "content-type": "text/plain;charset=UTF-8", origin },
        body: '[{},"$K1"]',
      });
      expectRefusal(fetchStyle, 403, "csrf_rejected", /Origin/, `fetch-style action from ${origin}`);
      const form = noJsForm(loginAction, [
        ["username", alice.username],
        ["password", PASSWORD],
      ]);
      const noJs = await raw("POST", "/login", { headers: { "content-type": form.type, origin }, body: form.body });
      expectRefusal(noJs, 403, "csrf_rejected", /Origin/, `no-JS form from ${origin}`);
      expect(noJs.text).not.toContain("authjs.session-token");
    }
  });

  test("a malformed JSON or multipart action body → 400", async () => {
    const json = await raw("POST", "/login", {
      headers: { "next-action": loginAction, "content-type": "text/plain;charset=UTF-8", origin: MAIN.url },
      body: "[{,,",
    });
    expectRefusal(json, 400, "malformed_json", /not valid JSON/, "malformed JSON arguments");
    const cut = `--XX\r\nContent-Disposition: form-data; name="1"\r\n\r\nabc`;
    const multipartCut = await raw("POST", "/login", {
      headers: { "next-action": loginAction, "content-type": "multipart/form-data; boundary=XX", origin: MAIN.url },
      body: cut,
    });
    expectRefusal(multipartCut, 400, "invalid_request", /multipart/, "a multipart body cut short");
  });
});
