import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "./addresses";

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1",
    "127.5.6.7",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",
    "2002:7f00:1::",
    "2001:db8::1",
    "[::1]",
    "not-an-ip",
  ])("%s is not public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:93.184.216.34", "2002:5db8:d822::"])("%s is public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  // Each IPv4 block at its edges, and an address of each block in the IPv6 forms that embed it.
  it.each([
    "0.255.255.255",
    "100.127.255.255",
    "169.254.0.1",
    "172.16.0.0",
    "192.0.0.8",
    "192.0.2.255",
    "192.88.99.1",
    "192.168.255.255",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "239.255.255.250",
    "240.0.0.1",
    "::ffff:0.0.0.0",
    "::ffff:169.254.169.254",
    "::ffff:a9fe:a9fe",
    "::ffff:100.64.0.1",
    "::ffff:198.51.100.7",
    "[::ffff:127.0.0.1]",
    "64:ff9b::127.0.0.1",
    "64:ff9b::169.254.169.254",
    "64:ff9b::c0a8:101",
    "64:ff9b::e000:1",
    "2002:a9fe:a9fe::1",
    "2002:c0a8:101::",
    "2002:a00:1:1:2:3:4:5",
    "2002:ffff:ffff::",
  ])("%s (a special-purpose IPv4 block, or an IPv6 form embedding one) is not public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    "FE80::1",
    "fe80::1%25eth0",
    "febf:ffff::1",
    "fec0::1",
    "fdff:ffff::1",
    "::127.0.0.1",
    "::8.8.8.8",
    "64:ff9b:1::808:808",
    "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "4000::1",
    "2001::1",
    "2001:2::1",
    "2001:1ff:ffff::1",
    "2001:db8:ffff::1",
    "3fff::1",
    "3fff:fff::1",
  ])("%s (outside global unicast, or a special block inside it) is not public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  // Not an IP address in its canonical text form: fails closed, whatever address it might mean
  // (leading zeros are octal to some parsers, so 008.8.8.8 is refused rather than read as 8.8.8.8).
  it.each(["", "127.1", "2130706433", "0x7f.0.0.1", "008.8.8.8", "1.2.3.4%eth0", "[8.8.8.8", "::ffff:1.2.3", "2001:db8::1::1"])("%j is not public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    "1.1.1.1",
    "100.63.255.255",
    "172.15.255.255",
    "192.0.1.1",
    "192.88.98.255",
    "192.169.0.1",
    "198.17.255.255",
    "198.20.0.1",
    "223.255.255.254",
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "64:ff9b::8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "2000::1",
    "2001:200::1",
    "2001:4860:4860::8888",
    "2001:db9::1",
    "2606:4700:4700::1111",
    "[2606:4700::1111]",
    "3ffe:ffff::1",
    "3fff:1000::1",
  ])("%s is public", (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});
