import type { Config } from "@/lib/config";

/**
 * Header our own server (scripts/start.ts) sets from the socket's address on every request,
 * replacing anything a client sent, so it can be trusted.
 */
export const CLIENT_ADDRESS_HEADER = "x-artdag-client-address";

/** The client's address for rate limits: our server's header, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(headers: Headers, config: Pick<Config, "trustProxy">): string {
  if (config.trustProxy) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  return headers.get(CLIENT_ADDRESS_HEADER)?.slice(0, 64) || "unknown";
}
