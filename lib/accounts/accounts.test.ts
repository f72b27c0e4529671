import { stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { verifySessionToken } from "@/lib/tokens";
import { getUser, loginUser, registerUser, registerUserInput } from ".";
import { authActionOf } from "./session";

const internal = { client: null };

describe("registerUserInput", () => {
  it.each([
    ["Al/ice", "only a–z"],
    ["../x", "only a–z"],
    ["Alice", "only a–z"],
    ["a".repeat(33), "at most 32"],
    ["", "required"],
    ["with space", "only a–z"],
    ["ünïcode", "only a–z"],
  ])("refuses the username %j", (username, message) => {
    const r = registerUserInput.safeParse({ username, password: "long enough" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.find((i) => i.path[0] === "username")?.message).toContain(message);
  });

  it.each([
    ["a".repeat(7), "at least 8"],
    ["a".repeat(257), "at most 256"],
  ])("refuses a password of %#", (password, message) => {
    const r = registerUserInput.safeParse({ username: "alice", password });
    expect(r.error?.issues[0].message).toContain(message);
  });

  it("accepts the edges and ignores unknown fields", () => {
    expect(registerUserInput.parse({ username: "a_1", password: "x".repeat(8), admin: true })).toEqual({ username: "a_1", password: "x".repeat(8) });
    expect(registerUserInput.safeParse({ username: "a".repeat(32), password: "x".repeat(256) }).success).toBe(true);
  });

  it("refuses wrong types", () => {
    expect(registerUserInput.safeParse({ username: 123, password: "long enough" }).success).toBe(false);
    expect(registerUserInput.safeParse({ username: "alice", password: ["long enough"] }).success).toBe(false);
  });
});

describe.each(databaseKinds)("accounts on %s", (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(() => t.close());

  it("registers a user with an argon2id hash, a key pair and a working token", async () => {
    const grant = await registerUser(t.ctx, { username: "alice", password: "correct horse" }, internal);
    expect(grant).toMatchObject({ token_type: "bearer", username: "alice", actor_id: "https://l2.test/users/alice" });
    expect(new Date(grant.expires_at).getTime()).toBeGreaterThan(Date.now());
    expect((await verifySessionToken(t.ctx, grant.access_token)).ok).toBe(true);

    const row = await t.ctx.prisma.user.findUniqueOrThrow({ where: { username: "alice" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain("correct horse");

    const pem = await stat(path.join(t.config.keysDir, "alice.pem"));
    expect(pem.mode & 0o777).toBe(0o600);
    expect((await stat(path.join(t.config.keysDir, "alice.pub"))).isFile()).toBe(true);
    expect(await getUser(t.ctx, "alice")).toMatchObject({ username: "alice", actor_id: "https://l2.test/users/alice" });
  });

  it("refuses a taken username with 409 and changes nothing", async () => {
    const before = await t.ctx.prisma.user.findUniqueOrThrow({ where: { username: "alice" } });
    const err = await rejectsWithAppError(registerUser(t.ctx, { username: "alice", password: "another password" }, internal));
    expect(err.status).toBe(409);
    expect(err.code).toBe("username_taken");
    expect(err.extra.fields?.username).toBeDefined();
    const after = await t.ctx.prisma.user.findUniqueOrThrow({ where: { username: "alice" } });
    expect(after.passwordHash).toBe(before.passwordHash);
    // The original password still works; the intruder's does not.
    await expect(loginUser(t.ctx, { username: "alice", password: "correct horse" }, internal)).resolves.toMatchObject({ username: "alice" });
    expect((await rejectsWithAppError(loginUser(t.ctx, { username: "alice", password: "another password" }, internal))).status).toBe(401);
  });

  it("lets exactly one of two concurrent registrations of one name win", async () => {
    const results = await Promise.allSettled([
      registerUser(t.ctx, { username: "race", password: "password one" }, internal),
      registerUser(t.ctx, { username: "race", password: "password two" }, internal),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0].reason as AppError).status).toBe(409);
    expect(await t.ctx.prisma.user.count({ where: { username: "race" } })).toBe(1);
  });

  it("gives unknown users and wrong passwords the same 401", async () => {
    const wrong = await rejectsWithAppError(loginUser(t.ctx, { username: "alice", password: "wrong password" }, internal));
    const unknown = await rejectsWithAppError(loginUser(t.ctx, { username: "nobody", password: "wrong password" }, internal));
    const malformed = await rejectsWithAppError(loginUser(t.ctx, { username: "../x", password: "wrong password" }, internal));
    for (const err of [wrong, unknown, malformed]) {
      expect(err.status).toBe(401);
      expect(err.code).toBe("invalid_credentials");
      expect(err.message).toBe(wrong.message);
    }
  });

  it("rate-limits login and registration per client", async () => {
    const limited = await createTestContext(kind, { RATE_LIMIT_LOGIN: "2/60", RATE_LIMIT_REGISTER: "1/60" });
    try {
      const client = { client: "203.0.113.7" };
      await registerUser(limited.ctx, { username: "dora", password: "password one" }, client);
      const reg = await rejectsWithAppError(registerUser(limited.ctx, { username: "dora2", password: "password one" }, client));
      expect(reg.status).toBe(429);
      expect(Number(reg.extra.headers?.["retry-after"])).toBeGreaterThan(0);
      expect(await limited.ctx.prisma.user.count({ where: { username: "dora2" } })).toBe(0);

      await loginUser(limited.ctx, { username: "dora", password: "password one" }, client);
      await rejectsWithAppError(loginUser(limited.ctx, { username: "dora", password: "bad password" }, client));
      const third = await rejectsWithAppError(loginUser(limited.ctx, { username: "dora", password: "password one" }, client));
      expect(third.status).toBe(429);
      expect(third.code).toBe("rate_limited");
      // Another client is not affected.
      await expect(loginUser(limited.ctx, { username: "dora", password: "password one" }, { client: "203.0.113.8" })).resolves.toBeTruthy();
      // The window passes.
      limited.setNow(new Date(Date.now() + 61_000));
      await expect(loginUser(limited.ctx, { username: "dora", password: "password one" }, client)).resolves.toBeTruthy();
    } finally {
      await limited.close();
    }
  });
});

describe("authActionOf", () => {
  it.each([
    ["/api/auth/signout", "signout"],
    ["/api/auth//signout", "signout"],
    ["/api/auth/signout/extra", "signout"],
    ["/api/auth/callback/credentials", "callback"],
    ["/api/auth", null],
    ["/api/other/signout", null],
    ["/api/auth/SIGNOUT", "SIGNOUT"],
  ])("%s → %s (as @auth/core parses it)", (path, action) => {
    expect(authActionOf(path)).toBe(action);
  });
});
