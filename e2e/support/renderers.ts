// Helpers for the renderer tests (product.md §5, protocols.md §4): the /renderers calls, the
// scoped token inside an attach redirect, /auth/verify answers, the standalone fake L1's controls
// (e2e/fixtures/fake-l1.ts, started by playwright.config.ts with `--l2` = MAIN) and a person signed
// in through the real registration form (for session-cookie requests).
import { createHash } from "node:crypto";
import { expect, type APIRequestContext, type APIResponse, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { SignJWT } from "jose";
import type { FakeL1Received } from "../fixtures/fake-l1";
import { PASSWORD, uniqueUsername, type Claims } from "./api";
import { DOWN_L1, FAKE_L1, MAIN, SCRIPTED_L1 } from "./servers";

/** Every L1 of the main server's L1_SERVERS. */
export const LISTED_L1S = [FAKE_L1.url, DOWN_L1.url, SCRIPTED_L1.url];

/** One entry of `GET /renderers` as JSON. */
export interface RendererState {
  l1_server: string;
  attached: boolean;
  attached_at: string | null;
}

/** The claims of a renderer token: a login token's plus the L1 it is scoped to and its parent session. */
export interface ScopedClaims extends Claims {
  l1_server: string;
  /** SHA-256 hex of the login token the scoped token was issued from. */
  sid: string;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A token's header and payload, decoded without verification. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: ScopedClaims } {
  const [header, payload] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as ScopedClaims,
  };
}

/** Signs arbitrary claims (HS256 unless told otherwise), as a forger who knows the secret would. */
export function signClaims(claims: object, secret: string, alg: "HS256" | "HS384" | "HS512" = "HS256"): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

/** `GET /renderers` as JSON with the given credentials (expects 200) and the list it answers. */
export async function getRenderers(request: APIRequestContext, headers: Record<string, string>): Promise<RendererState[]> {
  const res = await request.get("/renderers", { headers: { accept: "application/json", ...headers } });
  const text = await res.text();
  expect(res.status(), `GET /renderers answered: ${text.slice(0, 300)}`).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
  return JSON.parse(text) as RendererState[];
}

/** The state of one L1 in `GET /renderers`. */
export async function rendererState(request: APIRequestContext, headers: Record<string, string>, l1: string): Promise<RendererState> {
  const list = await getRenderers(request, headers);
  const entry = list.find((r) => r.l1_server === l1);
  expect(entry, `${l1} is listed in ${JSON.stringify(list)}`).toBeDefined();
  return entry!;
}

type Body = { json: Record<string, unknown> } | { form: Record<string, string> } | { none: true };

function bodyOptions(body: Body): { data?: Record<string, unknown>; form?: Record<string, string> } {
  if ("json" in body) return { data: body.json };
  if ("form" in body) return { form: body.form };
  return {};
}

/** `POST /renderers/attach` without following the redirect. */
export function postAttach(request: APIRequestContext, body: Body, headers: Record<string, string> = {}): Promise<APIResponse> {
  const type: Record<string, string> = "json" in body ? { "content-type": "application/json" } : {};
  return request.post("/renderers/attach", { ...bodyOptions(body), headers: { ...type, ...headers }, maxRedirects: 0 });
}

/** `POST /renderers/detach` without following the redirect. */
export function postDetach(request: APIRequestContext, body: Body, headers: Record<string, string> = {}): Promise<APIResponse> {
  const type: Record<string, string> = "json" in body ? { "content-type": "application/json" } : {};
  return request.post("/renderers/detach", { ...bodyOptions(body), headers: { ...type, ...headers }, maxRedirects: 0 });
}

/** The scoped token of an attach answer: asserts the 303 to exactly `{l1}/auth?auth_token=…`. */
export async function scopedTokenOf(res: APIResponse, l1: string): Promise<string> {
  expect(res.status(), `attach answered: ${(await res.text()).slice(0, 300)}`).toBe(303);
  const location = res.headers()["location"];
  expect(location, "a Location header").toBeTruthy();
  const url = new URL(location);
  expect(url.origin).toBe(l1);
  expect(url.pathname).toBe("/auth");
  expect(location.startsWith(`${l1}/auth?auth_token=`), location).toBe(true);
  expect([...url.searchParams.keys()]).toEqual(["auth_token"]);
  const token = url.searchParams.get("auth_token")!;
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  return token;
}

/** Attaches the Bearer token's user to an L1 and returns the scoped token. */
export async function attachWithBearer(request: APIRequestContext, loginToken: string, l1: string): Promise<string> {
  return scopedTokenOf(await postAttach(request, { json: { l1_server: l1 } }, { authorization: `Bearer ${loginToken}` }), l1);
}

export interface VerifyRequest {
  json?: Record<string, unknown>;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** `POST /auth/verify`, as an L1 calls it. */
export function postVerify(request: APIRequestContext, body: VerifyRequest): Promise<APIResponse> {
  const type: Record<string, string> = body.json ? { "content-type": "application/json" } : {};
  return request.post("/auth/verify", {
    ...(body.json ? { data: body.json } : {}),
    ...(body.form ? { form: body.form } : {}),
    headers: { ...type, ...body.headers },
    maxRedirects: 0,
  });
}

/** `POST /auth/verify` with JSON `{token, l1_server}`. */
export function verify(request: APIRequestContext, token: string, l1: string): Promise<APIResponse> {
  return postVerify(request, { json: { token, l1_server: l1 } });
}

async function statusAndJson(res: APIResponse): Promise<unknown> {
  const text = await res.text();
  expect(res.headers()["cache-control"], `Cache-Control of /auth/verify ${res.status()}: ${text.slice(0, 200)}`).toBe("no-store");
  expect(res.headers()["content-type"]).toMatch(/^application\/json\b/);
  return JSON.parse(text);
}

/** Asserts 200 and exactly the introspection body for this scoped token's claims. */
export async function expectVerified(res: APIResponse, token: string): Promise<void> {
  const text = await res.text();
  expect(res.status(), `verify answered: ${text.slice(0, 300)}`).toBe(200);
  const c = decodeJwt(token).payload;
  expect(await statusAndJson(res)).toEqual({
    valid: true,
    active: true,
    username: c.username,
    sub: c.sub,
    l1_server: c.l1_server,
    l2_server: c.l2_server,
    exp: c.exp,
    iat: c.iat,
    jti: c.jti,
  });
}

/** Asserts the one refusal: 401 `{valid: false, active: false}`, nothing more. */
export async function expectRefused(res: APIResponse): Promise<void> {
  const text = await res.text();
  expect(res.status(), `verify answered: ${text.slice(0, 300)}`).toBe(401);
  expect(await statusAndJson(res)).toEqual({ valid: false, active: false });
}

// --- The standalone fake L1 (FAKE_L1), driven over HTTP ------------------------------------------

export async function fakeL1Received(request: APIRequestContext): Promise<FakeL1Received & { ignoreRevocations: boolean }> {
  const res = await request.get(`${FAKE_L1.url}/__received`);
  expect(res.status()).toBe(200);
  return (await res.json()) as FakeL1Received & { ignoreRevocations: boolean };
}

/** Makes the standalone fake L1 ignore (a malicious L1) or honour revocation calls. */
export async function setIgnoreRevocations(request: APIRequestContext, ignoreRevocations: boolean): Promise<void> {
  const res = await request.post(`${FAKE_L1.url}/__control`, { data: { ignoreRevocations }, headers: { "content-type": "application/json" } });
  expect(res.status(), await res.text()).toBe(200);
  expect(await res.json()).toEqual({ ignoreRevocations });
}

/** Polls the fake L1's records (up to `timeoutMs`) until `check` passes. */
export async function expectFakeL1Received(request: APIRequestContext, check: (received: FakeL1Received) => void, timeoutMs = 15_000): Promise<void> {
  await expect(async () => check(await fakeL1Received(request))).toPass({ timeout: timeoutMs, intervals: [250, 500, 1000] });
}

export function revokedTokens(received: FakeL1Received): string[] {
  return received.revoke.map((r) => r.token);
}

export function revokedUsers(received: FakeL1Received): string[] {
  return received.revokeUser.map((r) => r.username);
}

/** What the fake L1's home page says for the cookies of this request context. */
export async function fakeL1HomeText(request: APIRequestContext, l1 = FAKE_L1.url): Promise<string> {
  const res = await request.get(`${l1}/`);
  expect(res.status()).toBe(200);
  return (await res.text()).replace(/<[^>]*>/g, " ");
}

// --- A person with a browser session --------------------------------------------------------------

export interface BrowserUser {
  username: string;
  context: BrowserContext;
  page: Page;
  /** The `Cookie` header value of the L2 session (send it with an Origin to act as the browser). */
  cookie: string;
}

/** Registers a new person through the registration form in a fresh browser context. */
export async function registerInBrowser(browser: Browser, prefix: string): Promise<BrowserUser> {
  const username = uniqueUsername(prefix);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByTestId("signed-in-user")).toHaveText(username);
  const cookies = (await context.cookies(MAIN.url)).filter((c) => /^authjs\.session-token(\.\d+)?$/.test(c.name));
  expect(cookies.length, "the browser holds a session cookie").toBeGreaterThan(0);
  return { username, context, page, cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") };
}

/** Headers of a request the person's own L2 page would send (same origin). */
export function sameOrigin(user: BrowserUser): Record<string, string> {
  return { cookie: user.cookie, origin: MAIN.url };
}
