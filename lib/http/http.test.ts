import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { useLogger } from "@/lib/log";
import { captureLogs } from "@/lib/testing";
import { readJson } from "./body";
import { handleRoute } from "./respond";
import { clientAddress, CLIENT_ADDRESS_HEADER } from "./client-address";

const schema = z.object({ name: z.string(), n: z.number().optional() });

function post(body: BodyInit, headers: Record<string, string> = {}) {
  return new Request("https://l2.test/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

const echo = handleRoute(async (req) => Response.json(await readJson(req, schema)));
const call = (req: Request) => echo(req, { params: Promise.resolve({}) });

describe("handleRoute + readJson", () => {
  afterEach(() => vi.restoreAllMocks());

  it("passes a valid body through, dropping unknown fields", async () => {
    const res = await call(post(JSON.stringify({ name: "a", extra: 1 })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "a" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers 400 malformed_json for a body that is not JSON", async () => {
    const res = await call(post("{name:"));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "malformed_json", message: expect.stringContaining("not valid JSON") });
  });

  it("answers 400 malformed_json for an empty body", async () => {
    const res = await call(post(""));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe("malformed_json");
  });

  it("answers 400 invalid_request naming the field for a wrong type", async () => {
    const res = await call(post(JSON.stringify({ name: 5 })));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe("invalid_request");
    expect(body.message).toContain("name");
    expect(Object.keys(body.fields)).toEqual(["name"]);
  });

  it("refuses a __proto__ key at any depth with 400 instead of silently dropping it", async () => {
    for (const [raw, field] of [
      ['{"name":"a","__proto__":{"x":1}}', "body"],
      ['{"name":"a","n":{"deep":[{"__proto__":1}]}}', "n.deep.0"],
    ]) {
      const res = await call(post(raw));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "invalid_request",
        message: `${field}: must not have a key named __proto__`,
        fields: { [field]: "must not have a key named __proto__" },
      });
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("answers 400 for JSON that is not an object", async () => {
    for (const raw of ["[]", "null", "42", '"x"']) {
      const res = await call(post(raw));
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe("invalid_request");
    }
  });

  it("answers 413 for a body over 1 MiB by its Content-Length without reading it", async () => {
    const res = await call(post("{}", { "content-length": String(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("answers 413 for a streamed body that grows past 1 MiB", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await call(post(stream));
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(8); // it stopped reading
  });

  it("maps an AppError to its status, code, message and headers", async () => {
    const route = handleRoute(async () => {
      throw new AppError("rate_limited", "slow down", { headers: { "retry-after": "7" } });
    });
    const res = await route(new Request("https://l2.test/x"), { params: Promise.resolve({}) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({ error: "rate_limited", message: "slow down" });
  });

  it("turns anything unexpected into a logged 500 with a request id and no internals", async () => {
    const { logger, lines } = captureLogs();
    const restore = useLogger(logger);
    try {
      const route = handleRoute(async () => {
        throw new Error("\nsecret internals at /srv/db"); // Prisma's messages start with a newline
      });
      const res = await route(new Request("https://l2.test/boom?token=abc", { headers: { "x-request-id": "req-12345678" } }), {
        params: Promise.resolve({}),
      });
      expect(res.status).toBe(500);
      const body = await res.json();
      expect(body.error).toBe("internal_error");
      expect(body.message).toContain("req-12345678");
      expect(body.message).not.toContain("secret internals");
      expect(res.headers.get("x-request-id")).toBe("req-12345678");
      const logged = lines();
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: "error",
        component: "route",
        reqId: "req-12345678",
        where: "GET /boom",
        err: { message: "\nsecret internals at /srv/db" },
        msg: "unexpected error: secret internals at /srv/db",
      });
      expect(JSON.stringify(logged)).not.toContain("token=abc"); // query strings may carry secrets
    } finally {
      restore();
    }
  });
});

describe("clientAddress", () => {
  it("is the address the front door set, whatever else the request claims", () => {
    const h = new Headers({ [CLIENT_ADDRESS_HEADER]: "10.0.0.5", "x-forwarded-for": "1.2.3.4" });
    expect(clientAddress(h)).toBe("10.0.0.5");
    expect(clientAddress(new Headers({ "x-forwarded-for": "1.2.3.4" }))).toBe("unknown");
  });
});
