// Which addresses L2 may reach: public unicast only. The blocks below are the policy (IANA's
// special-purpose registries, RFC 6890); parsing and matching are node:net's BlockList, which also
// judges the IPv4-mapped IPv6 form (::ffff:a.b.c.d) of an address by its IPv4 rules. The other two
// forms that embed an IPv4 address, NAT64 and 6to4, get one derived IPv6 block per IPv4 block.
import { BlockList, isIP } from "node:net";

type Block = readonly [firstAddress: string, prefixLength: number];

/** IPv4 blocks that are not public unicast. */
const NON_PUBLIC_IPV4: readonly Block[] = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

/**
 * The IPv6 space an address must lie in to be public at all: global unicast (2000::/3, which holds
 * 6to4's 2002::/16), and the two forms judged by the IPv4 address they carry in their last 32 bits.
 * That leaves out ::, ::1, IPv4-compatible, fc00::/7 (unique local), fe80::/10 (link-local),
 * fec0::/10 (site-local), ff00::/8 (multicast), the local-use NAT64 prefix 64:ff9b:1::/48…
 */
const PUBLIC_CANDIDATE_IPV6: readonly Block[] = [
  ["2000::", 3],
  ["::ffff:0:0", 96], // IPv4-mapped
  ["64:ff9b::", 96], // NAT64 well-known prefix (RFC 6052)
];

/** Inside global unicast, the special-purpose blocks: IETF assignments incl. Teredo, documentation. */
const NON_PUBLIC_GLOBAL_IPV6: readonly Block[] = [
  ["2001::", 23],
  ["2001:db8::", 32],
  ["3fff::", 20],
];

const publicCandidatesIpv6 = new BlockList();
for (const [first, bits] of PUBLIC_CANDIDATE_IPV6) publicCandidatesIpv6.addSubnet(first, bits, "ipv6");

const nonPublic = new BlockList();
for (const [first, bits] of NON_PUBLIC_IPV4) {
  nonPublic.addSubnet(first, bits, "ipv4"); // also matches ::ffff:<first>/<96 + bits>
  nonPublic.addSubnet(`64:ff9b::${first}`, 96 + bits, "ipv6");
  nonPublic.addSubnet(sixToFourPrefix(first), 16 + bits, "ipv6");
}
for (const [first, bits] of NON_PUBLIC_GLOBAL_IPV6) nonPublic.addSubnet(first, bits, "ipv6");

/** 6to4 (RFC 3056) carries the IPv4 address in the 32 bits after 2002::/16. */
function sixToFourPrefix(ipv4: string): string {
  const [a, b, c, d] = ipv4.split(".").map(Number);
  const group = (high: number, low: number) => ((high << 8) | low).toString(16);
  return `2002:${group(a, b)}:${group(c, d)}::`;
}

/**
 * True when `ip` is not a public unicast address: loopback, private, link-local, unique-local,
 * CGNAT, multicast, unspecified, documentation, reserved, or an IPv6 form embedding one of those
 * (IPv4-mapped, NAT64, 6to4). Anything that is not an IP address in its canonical text form counts
 * as private (fail closed).
 */
export function isPrivateAddress(ip: string): boolean {
  const unbracketed = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const family = isIP(unbracketed);
  if (family === 4) return nonPublic.check(unbracketed, "ipv4");
  if (family !== 6) return true;
  // A zone (fe80::1%eth0) names an interface, not part of the address; BlockList does not parse it.
  const address = unbracketed.replace(/%.*$/, "");
  return !publicCandidatesIpv6.check(address, "ipv6") || nonPublic.check(address, "ipv6");
}
