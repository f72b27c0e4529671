// Typed fetchers for the client-key API (product.md §6): the only place the client-key components
// talk HTTP. Writes go from our own pages with the session cookie, which the server's same-origin
// check accepts.
import type { ClientKeyView } from "@/lib/clients";
import { ApiError, type Page } from "./api";

export type { ClientKeyView };

/** A refused call, with the server's per-field messages (`fields`) when it sent any. */
export class ClientKeyApiError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(status, code, message);
    this.name = "ClientKeyApiError";
  }
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    credentials: "same-origin",
    headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}) },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: unknown; message?: unknown; fields?: unknown } | null;
    const code = typeof body?.error === "string" ? body.error : "http_error";
    const message = typeof body?.message === "string" ? body.message : `The server answered ${res.status}.`;
    const fields =
      body?.fields && typeof body.fields === "object"
        ? Object.fromEntries(Object.entries(body.fields as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"))
        : {};
    throw new ClientKeyApiError(res.status, code, message, fields);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** `GET /auth/client-keys`: the signed-in user's client keys, newest first, keyset-paged. */
export function fetchClientKeys(cursor: string | null): Promise<Page<ClientKeyView>> {
  return call<Page<ClientKeyView>>(cursor ? `/auth/client-keys?cursor=${encodeURIComponent(cursor)}` : "/auth/client-keys");
}

/** `POST /auth/client-keys`: authorizes a did:key for the signed-in user's actor. */
export function addClientKey(input: { did_key: string; label?: string }): Promise<ClientKeyView & { actor: string }> {
  return call("/auth/client-keys", { method: "POST", body: JSON.stringify(input) });
}

/** `DELETE /auth/client-keys/{did_key}`: removes a key; requests signed with it fail from then on. */
export function removeClientKey(didKey: string): Promise<void> {
  return call<void>(`/auth/client-keys/${encodeURIComponent(didKey)}`, { method: "DELETE" });
}
