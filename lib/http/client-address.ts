/**
 * Header the front door (lib/front) sets on every request, replacing anything a client sent: the
 * socket's address, or behind a trusted proxy (TRUST_PROXY) the address that proxy reports. So it
 * can be trusted here.
 */
export const CLIENT_ADDRESS_HEADER = "x-artdag-client-address";

/** The client's address for rate limits, as the front door established it. */
export function clientAddress(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER)?.slice(0, 64) || "unknown";
}
