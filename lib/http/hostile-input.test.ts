// Hostile input at the boundary (issue #12 item 6), one table per class: text that is no storable
// text (NUL, lone surrogates, bytes that are not UTF-8), malformed encodings, repeated names, deep
// nesting, non-object bodies, wrong content types, and tokens for accounts that do not exist.
// The shared parsing pieces are checked alone, then end to end through handleRoute on PGlite and
// PostgreSQL, where each refusal must be a 4xx naming the field and must leave the database as it was.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginInput, registerUser, registerUserInput } from "@/lib/accounts";
import { addClientKeyInput } from "@/lib/clients";
import { getAssetOrThrow, listAssets, listAssetsQuery, registerAsset, registerAssetInput } from "@/lib/registry";
import { rendererInput } from "@/lib/renderers";
import { createTestContext, databaseKinds, type TestContext } from "@/lib/testing";
import { issueToken, verifySessionToken } from "@/lib/tokens";
import { getCaller, requireCaller } from "@/lib/callers";
import { parseJson, parseJsonOrForm, readBodyBytes } from "./body";
import { decodePathParam, pagePathParam, parseQuery, readQuery } from "./params";
import { handleRoute, json } from "./respond";
import { isServerActionRequest, multipartDefect, screenServerActionBody, screenServerActionHeaders } from "./server-actions";
import { findJsonProblem, MAX_JSON_DEPTH, parseUrlEncoded, textDefect } from "./text";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...enc(p)] : p)));
const sha3 = (s: string) => createHash("sha3-256").update(s).digest("hex");

/** Runs `fn` and returns the AppError/ZodError it throws as the HTTP answer handleRoute would give. */
async function answerOf(fn: () => unknown): Promise<{ status: number; body: { error: string; message: string; fields?: Record<string, string> } }> {
  const res = await handleRoute(async () => {
    await fn();
    return json({ ok: true });
  })(new Request("https://l2.test/x"), { params: Promise.resolve({}) });
  return { status: res.status, body: await res.json() };
}

describe("textDefect", () => {
  it.each([
    ["NUL", "a\u0000b", "NUL"],
    ["a lone high surrogate", "a\ud800b", "surrogate"],
    ["a lone low surrogate", "a\udc00", "surrogate"],
    ["a reversed pair", "\udc00\ud800", "surrogate"],
    ["a high surrogate at the end", "x\udbff", "surrogate"],
  ])("refuses %s", (_label, value, word) => {
    expect(textDefect(value)).toContain(word);
  });

  it.each([
    ["plain text", "hello"],
    ["an emoji (a proper pair)", "a😀b"],
    ["U+FFFD itself", "\uFFFD"],
    ["other controls", "\u0001\t\n"],
    ["empty", ""],
  ])("accepts %s", (_label, value) => {
    expect(textDefect(value)).toBeNull();
  });
});

describe("parseJson refuses, naming the field", () => {
  const deep = (n: number) => `{"metadata":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`;
  it.each<[string, Uint8Array, string, string, string]>([
    ["NUL as \\u0000 in a field", enc('{"name":"a\\u0000b"}'), "invalid_request", "name", "NUL"],
    ["a lone high surrogate escape", enc('{"name":"\\ud800"}'), "invalid_request", "name", "surrogate"],
    ["a lone low surrogate escape", enc('{"name":"x\\udc00"}'), "invalid_request", "name", "surrogate"],
    ["NUL in the second tag", enc('{"tags":["ok","\\u0000"]}'), "invalid_request", "tags.1", "NUL"],
    ["a lone surrogate deep in metadata", enc('{"metadata":{"a":{"b":["x\\ud83d"]}}}'), "invalid_request", "metadata.a.b.0", "surrogate"],
    ["NUL in a metadata key", enc('{"metadata":{"k\\u0000":1}}'), "invalid_request", "metadata", "key"],
    ["a lone surrogate in a top-level key", enc('{"\\udc00":1}'), "invalid_request", "body", "key"],
    ["a surrogate encoded as UTF-8 bytes (ED A0 80)", bytes('{"name":"', [0xed, 0xa0, 0x80], '"}'), "invalid_request", "name", "UTF-8"],
    ["a byte that is never UTF-8 (FF)", bytes('{"tags":["', [0xff], '"]}'), "invalid_request", "tags.0", "UTF-8"],
    ["a truncated sequence in a key", bytes('{"metadata":{"', [0xe2, 0x82], '":1}}'), "invalid_request", "metadata", "UTF-8"],
    ["bytes that are not UTF-8 outside any string", bytes("{", [0xff], "}"), "malformed_json", "body", "UTF-8"],
    [`nesting deeper than ${MAX_JSON_DEPTH}`, enc(deep(10_000)), "invalid_request", "metadata", "nested deeper"],
    ["10 000 nested arrays", enc(`${"[".repeat(10_000)}${"]".repeat(10_000)}`), "invalid_request", "body", "nested deeper"],
    ["a __proto__ key at depth", enc('{"name":"a","n":{"deep":[{"__proto__":1}]}}'), "invalid_request", "n.deep.0", "__proto__"],
    ["an array body", enc("[1,2]"), "invalid_request", "body", "not an array"],
    ["a string body", enc('"x"'), "invalid_request", "body", "not a string"],
    ["a null body", enc("null"), "invalid_request", "body", "not null"],
    ["a number body", enc("1e999"), "invalid_request", "body", "not a number"],
  ])("%s", async (_label, body, error, field, word) => {
    const { status, body: answer } = await answerOf(() => parseJson(body));
    expect(status).toBe(400);
    expect(answer.error).toBe(error);
    expect(answer.message.startsWith(`${field}`)).toBe(true);
    expect(answer.message).toContain(word);
    expect(answer.fields).toEqual({ [field]: expect.stringContaining(word) });
  });

  it("accepts what is fine: proper pairs, U+FFFD sent as such, nesting at the limit", () => {
    expect(parseJson(enc('{"name":"\\ud83d\\ude00 😀 \\ufffd"}'))).toEqual({ name: "😀 😀 \uFFFD" });
    const atLimit = `${'{"a":'.repeat(MAX_JSON_DEPTH - 1)}1${"}".repeat(MAX_JSON_DEPTH - 1)}`;
    expect(() => parseJson(enc(atLimit))).not.toThrow();
    expect(findJsonProblem(JSON.parse(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`))?.message).toContain("nested deeper");
  });
});

describe("Content-Type of JSON bodies", () => {
  it.each([
    ["text/html", 415],
    ["image/png", 415],
    ["multipart/form-data; boundary=x", 415],
    ["application/x-www-form-urlencoded", 415],
    ["application/xml", 415],
    ["application/json", 200],
    ["text/plain;charset=UTF-8 (fetch's default for a string body)", 200],
    ["application/json; charset=utf-8", 200],
    ["application/activity+json", 200],
    ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 200],
  ])("%s → %i", async (type, status) => {
    const answer = await answerOf(() => parseJson(enc('{"a":1}'), type));
    expect(answer.status).toBe(status);
    if (status === 415) {
      expect(answer.body.error).toBe("unsupported_media_type");
      expect(answer.body.message).toContain("application/json");
    }
  });

  it("reads a form only where forms are accepted, strictly", async () => {
    expect(parseJsonOrForm(enc("l1_server=https%3A%2F%2Fl1.test&x=a+b"), "application/x-www-form-urlencoded")).toEqual({
      l1_server: "https://l1.test",
      x: "a b",
    });
    expect((await answerOf(() => parseJsonOrForm(enc("x=1"), "multipart/form-data; boundary=b"))).status).toBe(415);
    const nul = await answerOf(() => parseJsonOrForm(enc("l1_server=%00"), "application/x-www-form-urlencoded"));
    expect(nul).toMatchObject({ status: 400, body: { error: "invalid_request", fields: { l1_server: expect.stringContaining("NUL") } } });
  });
});

describe("query strings and forms (parseUrlEncoded)", () => {
  it.each([
    ["%00 in a value", "q=%00", "q", "NUL"],
    ["an encoded surrogate (%ED%A0%80)", "q=%ED%A0%80", "q", "UTF-8"],
    ["a byte that is never UTF-8 (%FF)", "tag=%FF", "tag", "UTF-8"],
    ["a malformed escape (%zz)", "q=%zz", "q", "percent"],
    ["a truncated escape (%E0%A4%A)", "q=%E0%A4%A", "q", "percent"],
    ["a lone % at the end", "owner=abc%", "owner", "percent"],
    ["a name given twice", "tag=a&tag=b", "tag", "more than once"],
    ["an array-style repeat", "tag[]=a&tag[]=b", "tag[]", "more than once"],
    ["NUL in a name", "a%00=1", "query", "NUL"],
    ["a malformed escape in a name", "%FF=1", "query", "percent"],
    ["__proto__ as a name", "__proto__=1", "query", "__proto__"],
  ])("refuses %s", async (_label, query, field, word) => {
    const answer = await answerOf(() => parseUrlEncoded(query, "query"));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_request");
    expect(answer.body.message.startsWith(`${field}: `)).toBe(true);
    expect(answer.body.message).toContain(word);
  });

  it("decodes what is fine: + as space, UTF-8 escapes, raw non-ASCII, empty values, a leading ?", () => {
    expect(parseUrlEncoded("?q=a+b%20c&t=%F0%9F%98%80&u=é&e=&flag", "query")).toEqual({ q: "a b c", t: "😀", u: "é", e: "", flag: "" });
  });

  it("reads a request's query and checks it with a schema (a query parameter that is an array is refused)", async () => {
    expect(readQuery(new Request("https://l2.test/assets?q=cat&limit=5"))).toEqual({ q: "cat", limit: "5" });
    expect(parseQuery(new Request("https://l2.test/assets?limit=5"), listAssetsQuery).limit).toBe(5);
    const twice = await answerOf(() => parseQuery(new Request("https://l2.test/assets?limit=5&limit=6"), listAssetsQuery));
    expect(twice).toMatchObject({ status: 400, body: { error: "invalid_request", fields: { limit: expect.stringContaining("more than once") } } });
    for (const limit of ["1e400", "-1", "99999999999999999999", "NaN", "1.5", "", "abc"]) {
      const answer = await answerOf(() => parseQuery(new Request(`https://l2.test/assets?limit=${limit}`), listAssetsQuery));
      expect(answer.status, limit).toBe(400);
      expect(answer.body.message).toContain("limit");
    }
    const cursor = await answerOf(() => parseQuery(new Request("https://l2.test/assets?cursor=99999999999"), listAssetsQuery));
    expect(cursor.body.message).toContain("cursor");
  });
});

describe("path segments", () => {
  it.each([
    ["%00 (still encoded)", "%00"],
    ["NUL (already decoded by Next)", "a\u0000b"],
    ["a lone surrogate (already decoded)", "x\ud800"],
    ["a lone surrogate after a malformed escape", "%zz\udc00"],
  ])("refuses %s with 400 naming the segment", async (_label, raw) => {
    const answer = await answerOf(() => decodePathParam(raw, "name"));
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/^name: .*(NUL|surrogate)/);
    // Pages show their not-found page for it.
    expect(pagePathParam(raw)).toBeNull();
  });

  it("decodes what decodes, and keeps as given what Next already decoded (it then names nothing)", () => {
    expect(decodePathParam("did%3Akey%3Az6Mk", "did")).toBe("did:key:z6Mk");
    expect(decodePathParam("caf%C3%A9", "name")).toBe("café");
    // `%25` arrives as `%`; `%FF` and an encoded surrogate do not decode: kept, they name nothing.
    expect(decodePathParam("%", "name")).toBe("%");
    expect(decodePathParam("%E0%A4%A", "name")).toBe("%E0%A4%A");
    expect(decodePathParam("%ED%A0%80", "name")).toBe("%ED%A0%80");
  });
});

describe("the input schemas refuse unstorable text themselves (for callers that bypass parseJson)", () => {
  const hash = sha3("x");
  it.each([
    ["registerAssetInput name", registerAssetInput, { name: "a\u0000", content_hash: hash, asset_type: "image" }, "name"],
    ["registerAssetInput tag", registerAssetInput, { name: "a", content_hash: hash, asset_type: "image", tags: ["\ud800"] }, "tags.0"],
    [
      "registerAssetInput metadata value",
      registerAssetInput,
      { name: "a", content_hash: hash, asset_type: "image", metadata: { k: ["\udc00"] } },
      "metadata.k.0",
    ],
    ["registerUserInput password", registerUserInput, { username: "alice", password: "pass\u0000word" }, "password"],
    ["loginInput username", loginInput, { username: "alice\u0000", password: "whatever1" }, "username"],
    ["addClientKeyInput label", addClientKeyInput, { did_key: "did:key:z6Mk", label: "x\ud800" }, "label"],
    ["rendererInput l1_server", rendererInput, { l1_server: "https://l1\u0000.test" }, "l1_server"],
  ] as const)("%s", (_label, schema, value, field) => {
    const r = schema.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual([field]);
  });
});

describe.each(databaseKinds)("hostile input end to end on %s", (kind) => {
  let t: TestContext;
  let aliceToken: string;

  beforeAll(async () => {
    t = await createTestContext(kind);
    aliceToken = (await registerUser(t.ctx, { username: "alice", password: "correct horse" }, { client: null })).access_token;
    await registerAsset(t.ctx, "alice", registerAssetInput.parse({ name: "first", content_hash: sha3("first"), asset_type: "image" }));
  }, 60_000);
  afterAll(() => t?.close());

  // POST /assets exactly as the route does it: raw bytes, the caller, parseJson, the schema, the write.
  const postAsset = handleRoute(async (req) => {
    const body = await readBodyBytes(req);
    const user = await requireCaller(t.ctx, req, { accept: ["session", "bearer", "moo-auth"], write: true, body });
    const input = registerAssetInput.parse(parseJson(body, req.headers.get("content-type")));
    return json(await registerAsset(t.ctx, user.username, input), { status: 201 });
  });
  const call = (body: Uint8Array, type = "application/json") =>
    postAsset(
      new Request("https://l2.test/assets", {
        method: "POST",
        body: Buffer.from(body),
        headers: { authorization: `Bearer ${aliceToken}`, "content-type": type },
      }),
      {
        params: Promise.resolve({}),
      },
    );
  const good = { name: "hostile", content_hash: sha3("hostile"), asset_type: "image" };
  const withField = (extra: string) => enc(`{"name":"hostile","content_hash":"${sha3("hostile")}","asset_type":"image",${extra}}`);

  it("the database itself refuses NUL (so the checks above are what stands between a client and a 500)", async () => {
    await expect(t.ctx.prisma.user.findUnique({ where: { username: "a\u0000" } })).rejects.toThrow();
  });

  it.each<[string, Uint8Array, number, string, string, string?]>([
    ["NUL in name", enc(`{"name":"a\\u0000","content_hash":"${sha3("h")}","asset_type":"image"}`), 400, "invalid_request", "name"],
    ["lone surrogate in a tag", withField('"tags":["ok","\\ud800"]'), 400, "invalid_request", "tags.1"],
    ["NUL in a metadata value", withField('"metadata":{"k":"v\\u0000"}'), 400, "invalid_request", "metadata.k"],
    ["lone surrogate in a metadata key", withField('"metadata":{"x\\udfff":1}'), 400, "invalid_request", "metadata"],
    ["lone surrogate deep in metadata", withField('"metadata":{"a":[{"b":"\\udbff"}]}'), 400, "invalid_request", "metadata.a.0.b"],
    [
      "raw bytes of a surrogate in the url",
      bytes(`{"name":"hostile","content_hash":"${sha3("hostile")}","asset_type":"image","url":"https://x.test/`, [0xed, 0xb0, 0x80], '"}'),
      400,
      "invalid_request",
      "url",
    ],
    [
      "10 000 nested levels of metadata",
      withField(`"metadata":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`),
      400,
      "invalid_request",
      "metadata: is nested",
    ],
    ["an array body", enc(`[${JSON.stringify(good)}]`), 400, "invalid_request", "body"],
    ["a null body", enc("null"), 400, "invalid_request", "body"],
    ["an array where a string is expected", withField('"url":["https://x.test"]'), 400, "invalid_request", "url"],
    ["a number where a string is expected", enc(`{"name":1e400,"content_hash":"${sha3("hostile")}","asset_type":"image"}`), 400, "invalid_request", "name"],
    ["a form Content-Type", enc(JSON.stringify(good)), 415, "unsupported_media_type", "application/json", "application/x-www-form-urlencoded"],
    ["a multipart Content-Type", enc(JSON.stringify(good)), 415, "unsupported_media_type", "application/json", "multipart/form-data; boundary=x"],
  ])("POST /assets with %s → %i, nothing written", async (_label, body, status, error, field, type) => {
    const before = await t.ctx.prisma.asset.count();
    const activitiesBefore = await t.ctx.prisma.activity.count();
    const res = await call(body, type);
    const answer = await res.json();
    expect(res.status).toBe(status);
    expect(answer.error).toBe(error);
    expect(answer.message).toContain(field);
    expect(await t.ctx.prisma.asset.count()).toBe(before);
    expect(await t.ctx.prisma.activity.count()).toBe(activitiesBefore);
  });

  it("a sound body after all of them is registered (the table above did not fail for another reason)", async () => {
    const res = await call(enc(JSON.stringify({ ...good, tags: ["😀"], metadata: { note: "café \uFFFD" } })));
    expect(res.status).toBe(201);
    expect((await getAssetOrThrow(t.ctx, "hostile")).tags).toEqual(["😀"]);
  });

  it("registerAsset itself refuses a lone surrogate in metadata before signing (no activity is stored)", async () => {
    const activitiesBefore = await t.ctx.prisma.activity.count();
    const input = { name: "direct", content_hash: sha3("direct"), asset_type: "image" as const, tags: [], metadata: { k: "\ud800" } };
    const answer = await answerOf(() => registerAsset(t.ctx, "alice", input));
    expect(answer).toMatchObject({ status: 400, body: { error: "invalid_request", fields: { "metadata.k": expect.stringContaining("surrogate") } } });
    expect(await t.ctx.prisma.activity.count()).toBe(activitiesBefore);
  });

  it("GET paths and queries with NUL are 400s, not database errors", async () => {
    const getAsset = handleRoute<{ name: string }>(async (_req, { params }) =>
      json(await getAssetOrThrow(t.ctx, decodePathParam((await params).name, "name"))),
    );
    const res = await getAsset(new Request("https://l2.test/assets/%00"), { params: Promise.resolve({ name: "%00" }) });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/^name: .*NUL/);
    const list = handleRoute(async (req) => json(await listAssets(t.ctx, parseQuery(req, listAssetsQuery))));
    for (const q of ["q=%00", "tag=%00", "owner=%ED%A0%80", "q=a&q=b"]) {
      const r = await list(new Request(`https://l2.test/assets?${q}`), { params: Promise.resolve({}) });
      expect(r.status, q).toBe(400);
      expect((await r.json()).message, q).toContain(q.split("=")[0]);
    }
  });

  it("a validly signed token for an account that does not exist is refused (Bearer 401, session anonymous)", async () => {
    const { token } = await issueToken(t.ctx, { username: "ghost" });
    expect(await verifySessionToken(t.ctx, token)).toEqual({ ok: false, reason: "unknown_user" });
    const before = await t.ctx.prisma.asset.count();
    const res = await postAsset(
      new Request("https://l2.test/assets", {
        method: "POST",
        body: JSON.stringify({ ...good, name: "ghostly", content_hash: sha3("ghostly") }),
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      }),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe("unauthorized");
    expect(await t.ctx.prisma.asset.count()).toBe(before);
    // The same token is fine once the account exists: the refusal was about the account only.
    expect((await verifySessionToken(t.ctx, aliceToken)).ok).toBe(true);
    await expect(getCaller(t.ctx, new Headers({ authorization: `Bearer ${token}` }), { accept: ["session", "bearer"] })).rejects.toMatchObject({
      code: "unauthorized",
    });
  });
});

describe("server-action requests screened before Next (which answers 500 to these)", () => {
  const action = "6080bc38a39fbb6b3049aca283a32d53ef11676f69";
  const h = (extra: Record<string, string>) => new Headers({ host: "l2.test", ...extra });
  const form = (parts: string, boundary = "b") => ({ type: `multipart/form-data; boundary=${boundary}`, body: enc(parts) });

  it.each([
    ["a foreign Origin (fetch form)", h({ "next-action": action, origin: "https://evil.test", "content-type": "text/plain" }), 403, "csrf_rejected"],
    ["a foreign Origin (no-JavaScript form)", h({ origin: "https://evil.test", "content-type": "multipart/form-data; boundary=b" }), 403, "csrf_rejected"],
    ["Origin: null", h({ "next-action": action, origin: "null" }), 403, "csrf_rejected"],
    ["an Origin that is no URL", h({ "next-action": action, origin: "http://a b" }), 403, "csrf_rejected"],
    ["an Origin on another port", h({ "next-action": action, origin: "http://l2.test:8080" }), 403, "csrf_rejected"],
    ["an Origin that only starts like ours", h({ "next-action": action, origin: "http://l2.test.evil.test" }), 403, "csrf_rejected"],
    ["an Origin other than X-Forwarded-Host", h({ "next-action": action, origin: "https://l2.test", "x-forwarded-host": "public.test" }), 403, "csrf_rejected"],
  ])("refuses %s", (_label, headers, status, code) => {
    const refusal = screenServerActionHeaders("POST", headers);
    expect(refusal).toMatchObject({ status, code });
    expect(refusal!.message).toContain("Origin");
  });

  it.each([
    ["our own Origin", h({ "next-action": action, origin: "https://l2.test" })],
    ["no Origin (Next decides)", h({ "next-action": action })],
    ["our public host behind a proxy", h({ "next-action": action, origin: "https://public.test", "x-forwarded-host": "public.test" })],
    ["a GET", h({ origin: "https://evil.test" }), "GET"],
    ["a JSON API POST from another site (not an action: the routes decide)", h({ origin: "https://evil.test", "content-type": "application/json" })],
  ])("lets %s through", (_label, headers, method = "POST") => {
    expect(screenServerActionHeaders(method, headers)).toBeNull();
  });

  it.each([
    ["JSON arguments that are not JSON", h({ "next-action": action, "content-type": "text/plain;charset=UTF-8" }), enc("[{,,"), "malformed_json"],
    ["JSON arguments that are not UTF-8", h({ "next-action": action, "content-type": "text/plain" }), bytes('["', [0xff], '"]'), "malformed_json"],
    [
      "a multipart body cut short",
      h({ "next-action": action, "content-type": form("").type }),
      enc('--b\r\nContent-Disposition: form-data; name="1"\r\n\r\nabc'),
      "invalid_request",
    ],
    ["a multipart body without its boundary", h({ "content-type": form("").type }), enc("hello"), "invalid_request"],
    ["a multipart type without a boundary", h({ "content-type": "multipart/form-data" }), enc("--b--\r\n"), "invalid_request"],
    ["a part without headers", h({ "content-type": form("").type }), enc("--b\r\nno headers here\r\n--b--\r\n"), "invalid_request"],
    ["a part without a name", h({ "content-type": form("").type }), enc("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"), "invalid_request"],
  ])("refuses %s", (_label, headers, body, code) => {
    expect(screenServerActionBody("POST", headers, body)).toMatchObject({ code });
  });

  it("lets well-formed action bodies through", () => {
    const ok =
      '--b\r\nContent-Disposition: form-data; name="$ACTION_REF_1"\r\n\r\n\r\n--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice\r\n--b--\r\n';
    expect(screenServerActionBody("POST", h({ "content-type": form("").type }), enc(ok))).toBeNull();
    expect(multipartDefect('multipart/form-data; boundary="b"', enc(ok))).toBeNull();
    expect(screenServerActionBody("POST", h({ "next-action": action, "content-type": "text/plain;charset=UTF-8" }), enc('[{},"$K1"]'))).toBeNull();
    expect(screenServerActionBody("POST", h({ "content-type": "application/x-www-form-urlencoded" }), enc("a=%zz"))).toBeNull();
    expect(isServerActionRequest("POST", h({ "content-type": "application/json" }))).toBe(false);
  });
});
