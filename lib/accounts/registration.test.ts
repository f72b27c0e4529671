import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorKeyPaths, ensureActorKeyPair } from "@/lib/crypto";
import { createTestContext, databaseKinds, rejectsWithAppError, type TestContext } from "@/lib/testing";
import { verifySessionToken } from "@/lib/tokens";
import { nodeinfo } from "@/lib/federation";
import { checkInvite, createUserAsOperator, issueInvite, loginUser, registerUser, verifyInvite } from ".";

const internal = { client: null };
const PASSWORD = "correct horse";

describe("invites (signature and expiry, no database)", () => {
  const secret = new TextEncoder().encode("s".repeat(64));
  const now = new Date("2026-12-01T00:00:00Z");

  it("verifies its own invite, for any name or for one name, until it expires (7 days by default)", () => {
    const any = issueInvite(secret, { now });
    expect(verifyInvite(secret, any.token, now)).toEqual(any.invite);
    expect(any.invite.username).toBeNull();
    expect(any.invite.expiresAt.getTime() - now.getTime()).toBe(7 * 86_400_000);
    const named = issueInvite(secret, { username: "giles", days: 2, now });
    expect(verifyInvite(secret, named.token, now).username).toBe("giles");
    const justBefore = new Date(named.invite.expiresAt.getTime() - 1000);
    expect(verifyInvite(secret, named.token, justBefore).id).toBe(named.invite.id);
  });

  it("gives every invite its own id", () => {
    const ids = new Set(Array.from({ length: 50 }, () => issueInvite(secret, { now }).invite.id));
    expect(ids.size).toBe(50);
  });

  it("refuses an expired invite with invite_expired", () => {
    const { token, invite } = issueInvite(secret, { days: 1, now });
    const err = (() => {
      try {
        verifyInvite(secret, token, invite.expiresAt);
      } catch (e) {
        return e as { code: string; status: number };
      }
    })();
    expect(err).toMatchObject({ code: "invite_expired", status: 403 });
  });

  const { token } = issueInvite(secret, { username: "ada", now });
  const [prefix, id, exp, user, sig] = token.split(".");
  const forged: [string, string][] = [
    ["another secret's invite", issueInvite(new TextEncoder().encode("t".repeat(64)), { now }).token],
    ["the name changed", [prefix, id, exp, "giles", sig].join(".")],
    ["the name removed (an invite for anyone)", [prefix, id, exp, "", sig].join(".")],
    ["the expiry pushed out", [prefix, id, String(Number(exp) + 86_400 * 365), user, sig].join(".")],
    ["another id", [prefix, "A".repeat(22), exp, user, sig].join(".")],
    ["the signature's last character changed", token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")],
    ["the signature's spare bits changed", token.slice(0, -1) + String.fromCharCode(token.charCodeAt(token.length - 1) ^ 1)],
    ["no signature", [prefix, id, exp, user, ""].join(".")],
    ["another version", ["inv2", id, exp, user, sig].join(".")],
    ["a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJnaWxlcyJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmE"],
    ["empty", ""],
    ["NUL inside", token.replace(".", "\u0000.")],
    ["trailing newline", token + "\n"],
  ];
  it.each(forged)("refuses a forged invite (%s) with invite_invalid", (_label, bad) => {
    expect(() => verifyInvite(secret, bad, now)).toThrow(expect.objectContaining({ code: "invite_invalid", status: 403 }));
  });
});

describe.each(databaseKinds)("registration rules on %s", (kind) => {
  describe("REGISTRATION=open (default), ARTDAG_USER=giles", () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await createTestContext(kind, { ARTDAG_USER: "giles" });
      // The server creates the primary actor's keys at its first start.
      await ensureActorKeyPair(t.config.keysDir, "giles");
      // A name whose keys exist without an account (e.g. `npm run setup-keys -- --user ada`).
      await ensureActorKeyPair(t.config.keysDir, "ada");
    });
    afterAll(() => t.close());

    it("refuses the instance actor's name with 409 username_reserved and writes nothing; its keys stay as they were", async () => {
      const before = await readFile(actorKeyPaths(t.config.keysDir, "giles").privateKey, "utf8");
      const err = await rejectsWithAppError(registerUser(t.ctx, { username: "giles", password: PASSWORD }, internal));
      expect(err).toMatchObject({ code: "username_reserved", status: 409 });
      expect(err.message).toContain("'giles' is reserved");
      expect(err.extra.fields?.username).toContain("reserved");
      expect(await t.ctx.prisma.user.count({ where: { username: "giles" } })).toBe(0);
      expect(await readFile(actorKeyPaths(t.config.keysDir, "giles").privateKey, "utf8")).toBe(before);
      await expect(loginUser(t.ctx, { username: "giles", password: PASSWORD }, internal)).rejects.toMatchObject({ code: "invalid_credentials" });
    });

    it("reserves the instance actor's name even before its keys exist", async () => {
      const u = await createTestContext(kind, { ARTDAG_USER: "owner" });
      try {
        const err = await rejectsWithAppError(registerUser(u.ctx, { username: "owner", password: PASSWORD }, internal));
        expect(err.code).toBe("username_reserved");
      } finally {
        await u.close();
      }
    });

    it("refuses any name whose key files exist without an account", async () => {
      const err = await rejectsWithAppError(registerUser(t.ctx, { username: "ada", password: PASSWORD }, internal));
      expect(err).toMatchObject({ code: "username_reserved", status: 409 });
      expect(await t.ctx.prisma.user.count({ where: { username: "ada" } })).toBe(0);
    });

    it("says taken, not reserved, for a registered user's name (whose keys exist too)", async () => {
      await registerUser(t.ctx, { username: "bob", password: PASSWORD }, internal);
      const err = await rejectsWithAppError(registerUser(t.ctx, { username: "bob", password: PASSWORD }, internal));
      expect(err).toMatchObject({ code: "username_taken", status: 409 });
    });

    it("lets an invite that names the reserved user claim it with the existing key pair; the invite then is used", async () => {
      const before = await readFile(actorKeyPaths(t.config.keysDir, "giles").privateKey, "utf8");
      const { token } = issueInvite(t.ctx.jwtSecret, { username: "giles" });
      const grant = await registerUser(t.ctx, { username: "giles", password: PASSWORD, invite: token }, internal);
      expect(grant.username).toBe("giles");
      expect((await verifySessionToken(t.ctx, grant.access_token)).ok).toBe(true);
      expect(await readFile(actorKeyPaths(t.config.keysDir, "giles").privateKey, "utf8")).toBe(before);
      expect(await t.ctx.prisma.usedInvite.findMany({ select: { username: true } })).toEqual([{ username: "giles" }]);
      await expect(checkInvite(t.ctx, token)).rejects.toMatchObject({ code: "invite_used", status: 409 });
    });

    it("refuses an invite for one name used for another, and an invite for anyone used on a reserved name", async () => {
      const forAda = issueInvite(t.ctx.jwtSecret, { username: "ada" }).token;
      const other = await rejectsWithAppError(registerUser(t.ctx, { username: "mallory", password: PASSWORD, invite: forAda }, internal));
      expect(other).toMatchObject({ code: "invite_invalid", status: 403 });
      expect(other.message).toContain("'ada'");
      const forAnyone = issueInvite(t.ctx.jwtSecret).token;
      const reserved = await rejectsWithAppError(registerUser(t.ctx, { username: "ada", password: PASSWORD, invite: forAnyone }, internal));
      expect(reserved.code).toBe("username_reserved");
      // Neither attempt used up the invites.
      expect(await t.ctx.prisma.usedInvite.count({ where: { username: { in: ["ada", "mallory"] } } })).toBe(0);
      await checkInvite(t.ctx, forAda);
      await checkInvite(t.ctx, forAnyone);
    });

    it("answers openRegistrations: true in NodeInfo", async () => {
      expect((await nodeinfo(t.ctx, { name: "artdag-l2", version: "0" })).openRegistrations).toBe(true);
    });
  });

  describe("REGISTRATION=closed", () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await createTestContext(kind, { REGISTRATION: "closed" });
    });
    afterAll(() => t.close());

    it("refuses every registration with 403 registration_closed, invites included, and writes nothing", async () => {
      for (const input of [
        { username: "carol", password: PASSWORD },
        { username: "carol", password: PASSWORD, invite: issueInvite(t.ctx.jwtSecret).token },
      ]) {
        const err = await rejectsWithAppError(registerUser(t.ctx, input, { client: "203.0.113.9" }));
        expect(err).toMatchObject({ code: "registration_closed", status: 403 });
      }
      expect(await t.ctx.prisma.user.count()).toBe(0);
      expect(await t.ctx.prisma.usedInvite.count()).toBe(0);
    });

    it("still lets the operator create accounts, the reserved instance actor included, with a generated password", async () => {
      const { username, password } = await createUserAsOperator(t.ctx, "giles");
      expect(username).toBe("giles");
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      const row = await t.ctx.prisma.user.findUniqueOrThrow({ where: { username: "giles" } });
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(row.passwordHash).not.toContain(password);
      expect((await loginUser(t.ctx, { username: "giles", password }, internal)).username).toBe("giles");
      await expect(createUserAsOperator(t.ctx, "giles")).rejects.toMatchObject({ code: "username_taken" });
      const second = await createUserAsOperator(t.ctx, "dave");
      expect(second.password).not.toBe(password);
    });

    it("answers openRegistrations: false in NodeInfo", async () => {
      expect((await nodeinfo(t.ctx, { name: "artdag-l2", version: "0" })).openRegistrations).toBe(false);
    });
  });

  describe("REGISTRATION=invite", () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await createTestContext(kind, { REGISTRATION: "invite" });
    });
    afterAll(() => t.close());

    it("refuses a registration without an invite with 403 invite_required", async () => {
      for (const invite of [undefined, ""]) {
        const err = await rejectsWithAppError(registerUser(t.ctx, { username: "erin", password: PASSWORD, invite }, internal));
        expect(err).toMatchObject({ code: "invite_required", status: 403 });
      }
      expect(await t.ctx.prisma.user.count()).toBe(0);
    });

    it("registers with a valid invite once; the same invite again is 409 invite_used", async () => {
      const { token } = issueInvite(t.ctx.jwtSecret);
      expect((await registerUser(t.ctx, { username: "erin", password: PASSWORD, invite: token }, internal)).username).toBe("erin");
      const err = await rejectsWithAppError(registerUser(t.ctx, { username: "frank", password: PASSWORD, invite: token }, internal));
      expect(err).toMatchObject({ code: "invite_used", status: 409 });
      expect(await t.ctx.prisma.user.count({ where: { username: "frank" } })).toBe(0);
    });

    it("lets exactly one of several concurrent registrations with one invite through", async () => {
      const { token } = issueInvite(t.ctx.jwtSecret);
      const names = ["con_a", "con_b", "con_c", "con_d"];
      const results = await Promise.allSettled(names.map((username) => registerUser(t.ctx, { username, password: PASSWORD, invite: token }, internal)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "invite_used" });
      expect(await t.ctx.prisma.user.count({ where: { username: { in: names } } })).toBe(1);
    });

    it("does not use up an invite when the name is taken", async () => {
      const { token } = issueInvite(t.ctx.jwtSecret);
      const err = await rejectsWithAppError(registerUser(t.ctx, { username: "erin", password: PASSWORD, invite: token }, internal));
      expect(err.code).toBe("username_taken");
      expect((await registerUser(t.ctx, { username: "gina", password: PASSWORD, invite: token }, internal)).username).toBe("gina");
    });

    it("refuses an expired, a forged and another server's invite, writing nothing", async () => {
      const expired = issueInvite(t.ctx.jwtSecret, { days: 1, now: new Date(Date.now() - 2 * 86_400_000) }).token;
      const foreign = issueInvite(new TextEncoder().encode("another server's secret, 32+ chars"), {}).token;
      const cases: [string, string][] = [
        [expired, "invite_expired"],
        [foreign, "invite_invalid"],
        ["inv1.garbage", "invite_invalid"],
      ];
      for (const [invite, code] of cases) {
        const err = await rejectsWithAppError(registerUser(t.ctx, { username: "hank", password: PASSWORD, invite }, internal));
        expect(err.code).toBe(code);
      }
      expect(await t.ctx.prisma.user.count({ where: { username: "hank" } })).toBe(0);
    });

    it("answers openRegistrations: false in NodeInfo", async () => {
      expect((await nodeinfo(t.ctx, { name: "artdag-l2", version: "0" })).openRegistrations).toBe(false);
    });
  });
});
