// POST /auth/register, POST /auth/login, GET /auth/me, POST /auth/logout over HTTP (product.md §2,
// §9): the happy path, then tables of bad inputs, each with its exact status and {error, message}
// body and what is (not) there afterwards.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { expectError, json, login, PASSWORD, postLogin, postRegister, register, uniqueUsername, userCount } from "./support/api";
import { expectAccountLifecycle, expectGrant } from "./support/flows";
import { MAIN } from "./support/servers";

const USERNAME_RULE = "username may contain only a–z, 0–9 and _ (lower case)";
const TWO_MIB = 2 * 1024 * 1024;

/** A body sent byte for byte (a string `data` with a JSON content type would be JSON-encoded). */
function raw(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

/** Nothing was created under `username`: logging in fails, and the name can still be registered. */
async function expectNoAccount(request: APIRequestContext, username: string, password: string) {
  await expectError(await postLogin(request, { username, password }), 401, "invalid_credentials");
  await register(request, username, PASSWORD);
}

test.describe("the account lifecycle", () => {
  test("register (201), /auth/me, login (200), logout revokes only the token it was called with", async ({ request }) => {
    await expectAccountLifecycle(request, MAIN.url);
  });

  test("unknown fields in the body are ignored", async ({ request }) => {
    const username = uniqueUsername("extra");
    const res = await postRegister(request, { username, password: PASSWORD, admin: true, email: "x@example.com" });
    expect(res.status()).toBe(201);
    expectGrant(await res.json(), MAIN.url, username);
  });

  test("the longest username (32 characters) and the longest password (256 characters) are accepted", async ({ request }) => {
    const username = uniqueUsername("long").padEnd(32, "x");
    const password = "p".repeat(256);
    expectGrant(await register(request, username, password), MAIN.url, username);
    expectGrant(await login(request, username, password), MAIN.url, username);
  });
});

test.describe("POST /auth/register refuses a bad username with 400 and creates nothing", () => {
  const cases: { title: string; username: unknown; message: string }[] = [
    { title: "a slash", username: "Al/ice", message: USERNAME_RULE },
    { title: "a path", username: "../x", message: USERNAME_RULE },
    { title: "upper case", username: "Alice", message: USERNAME_RULE },
    { title: "a space", username: "al ice", message: USERNAME_RULE },
    { title: "33 characters", username: "a".repeat(33), message: "username must be at most 32 characters" },
    { title: "empty", username: "", message: "username is required" },
    { title: "a number instead of a string", username: 123, message: "username must be a string" },
    { title: "null", username: null, message: "username must be a string" },
  ];
  for (const c of cases) {
    test(`username ${c.title} (${JSON.stringify(c.username)})`, async ({ request }) => {
      const usersBefore = await userCount(request);
      const body = await expectError(await postRegister(request, { username: c.username, password: PASSWORD }), 400, "invalid_request");
      expect(body.fields).toEqual({ username: c.message });
      expect(body.message).toContain(c.message);
      expect(await userCount(request), "no account was created").toBe(usersBefore);
    });
  }

  test("a missing username", async ({ request }) => {
    const body = await expectError(await postRegister(request, { password: PASSWORD }), 400, "invalid_request");
    expect(body.fields).toEqual({ username: "username must be a string" });
  });
});

test.describe("POST /auth/register refuses a bad password with 400 and creates nothing", () => {
  const cases: { title: string; password: unknown; message: string }[] = [
    { title: "of 7 characters", password: "1234567", message: "password must be at least 8 characters" },
    { title: "of 257 characters", password: "p".repeat(257), message: "password must be at most 256 characters" },
    { title: "that is a number", password: 12345678, message: "password must be a string" },
  ];
  for (const c of cases) {
    test(`a password ${c.title}`, async ({ request }) => {
      const username = uniqueUsername("badpw");
      const body = await expectError(await postRegister(request, { username, password: c.password }), 400, "invalid_request");
      expect(body.fields).toEqual({ password: c.message });
      await expectNoAccount(request, username, String(c.password));
    });
  }
});

test.describe("POST /auth/register refuses a body that is not a JSON object", () => {
  test("malformed JSON → 400 malformed_json", async ({ request }) => {
    const username = uniqueUsername("malformed");
    const res = await request.post("/auth/register", { headers: json, data: raw(`{"username": "${username}", "password": `) });
    await expectError(res, 400, "malformed_json");
    await expectNoAccount(request, username, PASSWORD);
  });

  test("an empty body → 400 malformed_json", async ({ request }) => {
    await expectError(await request.post("/auth/register", { headers: json, data: raw("") }), 400, "malformed_json");
  });

  for (const [title, data] of [
    ["an array", "[]"],
    ["a string", '"alice"'],
    ["null", "null"],
  ] as const) {
    test(`${title} → 400 invalid_request`, async ({ request }) => {
      await expectError(await request.post("/auth/register", { headers: json, data: raw(data) }), 400, "invalid_request");
    });
  }

  test("a 2 MiB body → 413 payload_too_large", async ({ request }) => {
    const username = uniqueUsername("huge");
    const data = raw(JSON.stringify({ username, password: PASSWORD, padding: "x".repeat(TWO_MIB) }));
    await expectError(await request.post("/auth/register", { headers: json, data }), 413, "payload_too_large");
    await expectNoAccount(request, username, PASSWORD);
  });

  test("a 2 MiB body streamed without Content-Length → 413 payload_too_large", async ({ request }) => {
    const username = uniqueUsername("chunked");
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"username":"${username}","password":"${PASSWORD}","padding":"`));
      },
      pull(controller) {
        if (sent >= TWO_MIB) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${MAIN.url}/auth/register`, {
      method: "POST",
      headers: json,
      body,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large", message: expect.any(String) });
    await expectNoAccount(request, username, PASSWORD);
  });
});

test.describe("POST /auth/register with a taken username", () => {
  test("a second registration of a name → 409 username_taken, and the first account is untouched", async ({ request }) => {
    const username = uniqueUsername("dup");
    await register(request, username, PASSWORD);
    const body = await expectError(await postRegister(request, { username, password: `${PASSWORD} 2` }), 409, "username_taken");
    expect(body.message).toContain(username);
    expect(body.fields).toEqual({ username: "This username is already taken." });

    await login(request, username, PASSWORD);
    await expectError(await postLogin(request, { username, password: `${PASSWORD} 2` }), 401, "invalid_credentials");
  });

  test("two concurrent registrations of one name: exactly one 201 and one 409, and the winner's password is the one kept", async ({ request }) => {
    const username = uniqueUsername("race");
    const passwords = [`${PASSWORD} a`, `${PASSWORD} b`];
    const responses = await Promise.all(passwords.map((password) => postRegister(request, { username, password })));
    expect(responses.map((r) => r.status()).sort()).toEqual([201, 409]);

    const winner = responses.findIndex((r) => r.status() === 201);
    const loser = 1 - winner;
    await expectError(responses[loser], 409, "username_taken");
    await login(request, username, passwords[winner]);
    await expectError(await postLogin(request, { username, password: passwords[loser] }), 401, "invalid_credentials");
  });
});

test.describe("POST /auth/login", () => {
  test("a wrong password and an unknown user get the same 401 body", async ({ request }) => {
    const username = uniqueUsername("creds");
    await register(request, username);

    const wrongPassword = await expectError(await postLogin(request, { username, password: `${PASSWORD}!` }), 401, "invalid_credentials");
    const unknownUser = await expectError(await postLogin(request, { username: uniqueUsername("nobody"), password: PASSWORD }), 401, "invalid_credentials");
    const malformedName = await expectError(await postLogin(request, { username: "Al/ice", password: PASSWORD }), 401, "invalid_credentials");
    expect(wrongPassword).toEqual({ error: "invalid_credentials", message: "Invalid username or password." });
    expect(unknownUser).toEqual(wrongPassword);
    expect(malformedName).toEqual(wrongPassword);
  });

  const bad: { title: string; body: unknown; field: string }[] = [
    { title: "a number as username", body: { username: 123, password: PASSWORD }, field: "username" },
    { title: "no password", body: { username: "alice" }, field: "password" },
    { title: "an empty password", body: { username: "alice", password: "" }, field: "password" },
  ];
  for (const c of bad) {
    test(`${c.title} → 400 invalid_request naming ${c.field}`, async ({ request }) => {
      const body = await expectError(await postLogin(request, c.body), 400, "invalid_request");
      expect(Object.keys(body.fields ?? {})).toEqual([c.field]);
    });
  }

  test("malformed JSON → 400 malformed_json", async ({ request }) => {
    await expectError(await request.post("/auth/login", { headers: json, data: raw("{not json") }), 400, "malformed_json");
  });
});
