// Flows run against more than one server (PGlite and PostgreSQL).
import { expect, type APIRequestContext } from "@playwright/test";
import { bearer, expectError, login, me, PASSWORD, postRegister, uniqueUsername, type TokenGrant } from "./api";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Asserts the token answer of register and login (product.md §2). */
export function expectGrant(grant: TokenGrant, serverUrl: string, username: string): void {
  expect(Object.keys(grant).sort()).toEqual(["access_token", "actor_id", "expires_at", "token_type", "username"]);
  expect(grant).toEqual({
    access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    token_type: "bearer",
    expires_at: expect.stringMatching(ISO_DATE),
    username,
    actor_id: `${serverUrl}/users/${username}`,
  });
  expect(Date.parse(grant.expires_at)).toBeGreaterThan(Date.now());
}

/**
 * One account's whole life over HTTP: register (201), /auth/me, login (200, a second token),
 * logout of the login token (200 {revoked: true}) after which that token is refused (401) while
 * the registration token still works.
 */
export async function expectAccountLifecycle(request: APIRequestContext, serverUrl: string): Promise<void> {
  const username = uniqueUsername("life");
  const before = Date.now();

  const registered = await postRegister(request, { username, password: PASSWORD });
  expect(registered.status(), await registered.text()).toBe(201);
  expect(registered.headers()["content-type"]).toMatch(/^application\/json\b/);
  const first = (await registered.json()) as TokenGrant;
  expectGrant(first, serverUrl, username);

  const profile = await me(request, first.access_token);
  expect(profile.status()).toBe(200);
  const user = (await profile.json()) as { created_at: string };
  expect(user).toEqual({ username, actor_id: `${serverUrl}/users/${username}`, created_at: expect.stringMatching(ISO_DATE) });
  expect(Date.parse(user.created_at)).toBeGreaterThanOrEqual(before - 5_000);
  expect(Date.parse(user.created_at)).toBeLessThanOrEqual(Date.now() + 5_000);

  const second = await login(request, username);
  expectGrant(second, serverUrl, username);
  expect(second.access_token).not.toBe(first.access_token);

  const logout = await request.post("/auth/logout", { headers: bearer(second.access_token) });
  expect(logout.status()).toBe(200);
  expect(await logout.json()).toEqual({ revoked: true });

  await expectError(await me(request, second.access_token), 401, "unauthorized");
  await expectError(await request.post("/auth/logout", { headers: bearer(second.access_token) }), 401, "unauthorized");
  // Only that token was revoked: the account and its other token are untouched.
  expect((await me(request, first.access_token)).status()).toBe(200);
}
