// Which addresses L2 may reach: public unicast only.

function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    s = s.slice(0, lastColon);
    if (s.endsWith(":")) s += ":";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === null || rest === null) return null;
  const known = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (known > 7) return null;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  } else {
    if (known !== 8) return null;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** IPv4 blocks that are not public unicast (RFC 6890 and friends): [first address, prefix length]. */
const NON_PUBLIC_V4: [string, number][] = [
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
const NON_PUBLIC_V4_PARSED = NON_PUBLIC_V4.map(([base, bits]) => [parseIpv4(base) as number, bits] as const);

function isPrivateIpv4(value: number): boolean {
  return NON_PUBLIC_V4_PARSED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(value / size) === Math.floor(base / size);
  });
}

function isInV6Block(value: bigint, base: string, bits: number): boolean {
  const shift = BigInt(128 - bits);
  return value >> shift === (parseIpv6(base) as bigint) >> shift;
}

function isPrivateIpv6(value: bigint): boolean {
  const low32 = Number(value & 0xffffffffn);
  // Forms that embed an IPv4 address are judged by it: IPv4-mapped, NAT64 well-known prefix, 6to4.
  if (isInV6Block(value, "::ffff:0:0", 96)) return isPrivateIpv4(low32);
  if (isInV6Block(value, "64:ff9b::", 96)) return isPrivateIpv4(low32);
  if (isInV6Block(value, "2002::", 16)) return isPrivateIpv4(Number((value >> 80n) & 0xffffffffn));
  // Only global unicast (2000::/3) is public; that excludes ::, ::1, IPv4-compatible, fc00::/7
  // (unique local), fe80::/10 (link-local), fec0::/10 (site-local), ff00::/8 (multicast)…
  if (!isInV6Block(value, "2000::", 3)) return true;
  // …and inside it, the special-purpose blocks: IETF assignments incl. Teredo, documentation.
  return isInV6Block(value, "2001::", 23) || isInV6Block(value, "2001:db8::", 32) || isInV6Block(value, "3fff::", 20);
}

/**
 * True when `ip` is not a public unicast address: loopback, private, link-local, unique-local,
 * CGNAT, multicast, unspecified, documentation, reserved, or an IPv6 form embedding one of those
 * (IPv4-mapped, NAT64, 6to4). Anything that does not parse counts as private (fail closed).
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return isPrivateIpv4(v4);
  const v6 = parseIpv6(bare);
  return v6 === null ? true : isPrivateIpv6(v6);
}
