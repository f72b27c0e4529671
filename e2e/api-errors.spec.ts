// Paths and methods the API does not serve (product.md §9): a 4xx with a JSON {error, message}
// body — never a 500, never an empty or HTML body for an API client.
import { expect, test } from "@playwright/test";
import { expectError } from "./support/api";

const wrongMethods: { method: string; path: string; allow: string[] }[] = [
  { method: "GET", path: "/auth/register", allow: ["POST"] },
  { method: "PUT", path: "/auth/register", allow: ["POST"] },
  { method: "GET", path: "/auth/login", allow: ["POST"] },
  { method: "DELETE", path: "/auth/login", allow: ["POST"] },
  { method: "GET", path: "/auth/logout", allow: ["POST"] },
  { method: "POST", path: "/auth/me", allow: ["GET"] },
  { method: "PATCH", path: "/auth/me", allow: ["GET"] },
  { method: "POST", path: "/api/stats", allow: ["GET"] },
];

for (const c of wrongMethods) {
  test(`${c.method} ${c.path} → 405 method_not_allowed with an Allow header`, async ({ request }) => {
    const res = await request.fetch(c.path, { method: c.method, headers: { accept: "application/json" } });
    await expectError(res, 405, "method_not_allowed");
    const allow = (res.headers()["allow"] ?? "").split(/\s*,\s*/);
    for (const method of c.allow) expect(allow).toContain(method);
    expect(allow).not.toContain(c.method);
  });
}

test("OPTIONS lists only the methods a path serves", async ({ request }) => {
  const register = await request.fetch("/auth/register", { method: "OPTIONS" });
  expect(register.status()).toBe(204);
  expect(register.headers()["allow"]).toBe("POST, OPTIONS");
  const me = await request.fetch("/auth/me", { method: "OPTIONS" });
  expect(me.headers()["allow"]).toBe("GET, HEAD, OPTIONS");
});

for (const method of ["GET", "POST", "DELETE"]) {
  test(`${method} on an unknown path under /auth → 404 not_found`, async ({ request }) => {
    const res = await request.fetch("/auth/no-such-endpoint", { method, headers: { accept: "application/json" } });
    await expectError(res, 404, "not_found");
  });
}

test("an unknown page asked for by a browser is a 404 page, not an error", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("session-state")).toBeVisible();
});
