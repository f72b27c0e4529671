// Helpers for HTTP-level tests: unique names, the account calls, error-body assertions, and
// tokens forged the way a server with a known secret would sign them (protocols.md §4).
import { randomBytes, randomUUID } from "node:crypto";
import { expect, type APIRequestContext, type APIResponse } from "@playwright/test";
import { SignJWT } from "jose";

/** A password that satisfies the rules (8–256 characters). */
export const PASSWORD = "correct horse battery staple";

/** A fresh, valid username (`^[a-z0-9_]{1,32}$`) starting with `prefix` (at most 16 characters). */
export function uniqueUsername(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`.slice(0, 32);
}

export interface TokenGrant {
  access_token: string;
  token_type: string;
  expires_at: string;
  username: string;
  actor_id: string;
}

export interface ErrorBody {
  error: string;
  message: string;
  fields?: Record<string, string>;
}

export const json = { "content-type": "application/json" };

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Asserts an error response: its status, a JSON content type and an `{error, message}` body. */
export async function expectError(res: APIResponse, status: number, error: string): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status(), `${res.url()} answered: ${text.slice(0, 300)}`).toBe(status);
  expect(res.headers()["content-type"], "errors are JSON").toMatch(/^application\/json\b/);
  const body = JSON.parse(text) as ErrorBody;
  expect(body).toMatchObject({ error, message: expect.any(String) });
  expect(body.message.trim(), "the message is for a person to read").not.toBe("");
  return body;
}

export function postRegister(request: APIRequestContext, body: unknown): Promise<APIResponse> {
  return request.post("/auth/register", { data: body as object, headers: json });
}

export function postLogin(request: APIRequestContext, body: unknown): Promise<APIResponse> {
  return request.post("/auth/login", { data: body as object, headers: json });
}

/** Registers a user (expects 201) and returns the grant. */
export async function register(request: APIRequestContext, username: string, password = PASSWORD): Promise<TokenGrant> {
  const res = await postRegister(request, { username, password });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as TokenGrant;
}

/** Logs a user in (expects 200) and returns the grant. */
export async function login(request: APIRequestContext, username: string, password = PASSWORD): Promise<TokenGrant> {
  const res = await postLogin(request, { username, password });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as TokenGrant;
}

/** `GET /auth/me` with a Bearer token. */
export function me(request: APIRequestContext, token: string): Promise<APIResponse> {
  return request.get("/auth/me", { headers: bearer(token) });
}

/** The number of registered users, from `GET /` as JSON. */
export async function userCount(request: APIRequestContext): Promise<number> {
  const res = await request.get("/", { headers: { accept: "application/json" } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { users: number }).users;
}

export interface Claims {
  sub: string;
  username: string;
  iat: number;
  exp: number;
  jti: string;
  l2_server: string;
}

/** The claims a server at `serverUrl` puts in a fresh login token for `username`. */
export function claimsFor(serverUrl: string, username: string, overrides: Partial<Claims> = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  return { sub: username, username, iat: now, exp: now + 3600, jti: randomUUID(), l2_server: serverUrl, ...overrides };
}

/** Signs claims with a secret (HS256 unless told otherwise), as the server does. */
export function signToken(claims: Claims, secret: string, alg: "HS256" | "HS384" | "HS512" = "HS256"): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** An unsigned token (`alg: none`, empty signature). */
export function unsignedToken(claims: Claims): string {
  return `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
}

/** A token's payload, decoded (no verification). */
export function decodePayload(token: string): Claims {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as Claims;
}

/** The same token with its payload changed and the original signature kept. */
export function tamperedToken(token: string, change: Partial<Claims>): string {
  const [header, , signature] = token.split(".");
  return `${header}.${base64url({ ...decodePayload(token), ...change })}.${signature}`;
}
