import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildMerkleBatch, walkPath } from "./merkle";
import {
  allAttestations,
  mergeTimestamp,
  newTimestamp,
  parseDetached,
  parseTimestamp,
  serializeDetached,
  serializeTimestamp,
  timestampFromPath,
  type OtsTimestamp,
} from "./ots";
import { bytesToHex, hexToBytes, OtsParseError, sha256 } from "./ots-bytes";
import { parseOps, serializeOps } from "./ots-ops";
import { referenceClientMissing } from "./testdata/oracle";

const PENDING = "83dfe30d2ef90c8e";
const pendingHex = (uri: string) =>
  `00${PENDING}${(uri.length + 1).toString(16).padStart(2, "0")}${uri.length.toString(16).padStart(2, "0")}${Buffer.from(uri).toString("hex")}`;
const MAGIC = "004f70656e54696d657374616d7073000050726f6f6600bf89e2e884e89294";

// examples/hello-world.txt.ots of opentimestamps-client, as quoted in javascript-opentimestamps'
// README: "Hello World!\n" in Bitcoin block 358391 (688 bytes, including a whole transaction).
const HELLO_WORLD_OTS =
  "004f70656e54696d657374616d7073000050726f6f6600bf89e2e884e89294010803ba204e50d126e4674c005e04d82e84c21366780af1f43bd54a37816b6ab34003f1c8010100000001e482f9d32ecc3ba657b69d898010857b54457a90497982ff56f97c4ec58e6f98010000006b483045022100b253add1d1cf90844338a475a04ff13fc9e7bd242b07762dea07f5608b2de367022000b268ca9c3342b3769cdd062891317cdcef87aac310b6855e9d93898ebbe8ec0121020d8e4d107d2b339b0050efdd4b4a09245aa056048f125396374ea6a2ab0709c6ffffffff026533e605000000001976a9140bf057d40fbba6744862515f5b55a2310de5772f88aca0860100000000001976a914f00688ac000000000808f120a987f716c533913c314c78e35d35884cac943fa42cac49d2b2c69f4003f85f880808f120dec55b3487e1e3f722a49b55a7783215862785f4a3acb392846019f71dc64a9d0808f120b2ca18f485e080478e025dab3d464b416c0e1ecb6629c9aefce8c8214d0424320808f02011b0e90661196ff4b0813c3eda141bab5e91604837bdf7a0c9df37db0e3a11980808f020c34bc1a4a1093ffd148c016b1e664742914e939efabe4d3d356515914b26d9e20808f020c3e6e7c38c69f6af24c2be34ebac48257ede61ec0a21b9535e4443277be306460808f1200798bf8606e00024e5d5d54bf0c960f629dfb9dad69157455b6f2652c0e8de810808f0203f9ada6d60baa244006bb0aad51448ad2fafb9d4b6487a0999cff26b91f0f5360808f120c703019e959a8dd3faef7489bb328ba485574758e7091f01464eb65872c975c80808f020cbfefff513ff84b915e3fed6f9d799676630f8364ea2a6c7557fad94a5b5d7880808f1200be23709859913babd4460bbddf8ed213e7c8773a4b1face30f8acfdf093b7050808000588960d73d7190103f7ef15";
// examples/incomplete.txt.ots (same README): one pending attestation at alice's calendar.
const INCOMPLETE_OTS =
  "004f70656e54696d657374616d7073000050726f6f6600bf89e2e884e89294010805c4f616a8e5310d19d938cfd769864d7f4ccdc2ca8b479b10af83564b097af9f010e754bf93806a7ebaa680ef7bd0114bf408f010b573e8850cfd9e63d1f043fbb6fc250e08f10457cfa5c4f0086fb1ac8d4e4eb0e70083dfe30d2ef90c8e2e2d68747470733a2f2f616c6963652e6274632e63616c656e6461722e6f70656e74696d657374616d70732e6f7267";

function pending(msg: Uint8Array, uri: string): OtsTimestamp {
  return { msg, attestations: [{ kind: "pending", uri }], ops: [] };
}

describe("serializeTimestamp / parseTimestamp (python-opentimestamps test_timestamp.py vectors)", () => {
  const foo = new TextEncoder().encode("foo");

  it("writes one pending attestation as 00 + tag + payload", () => {
    const ts = pending(foo, "foobar");
    expect(bytesToHex(serializeTimestamp(ts))).toBe(pendingHex("foobar"));
    expect(parseTimestamp(serializeTimestamp(ts), foo)).toEqual(ts);
  });

  it("sorts attestations and marks every one but the last with ff", () => {
    const ts: OtsTimestamp = {
      msg: foo,
      attestations: [
        { kind: "pending", uri: "foobaz" },
        { kind: "pending", uri: "foobar" },
        { kind: "pending", uri: "barfoo" },
      ],
      ops: [],
    };
    expect(bytesToHex(serializeTimestamp(ts))).toBe(`ff${pendingHex("barfoo")}ff${pendingHex("foobar")}${pendingHex("foobaz")}`);
  });

  it("writes attestations before operations", () => {
    const ts: OtsTimestamp = {
      msg: foo,
      attestations: [
        { kind: "pending", uri: "foobar" },
        { kind: "pending", uri: "barfoo" },
        { kind: "pending", uri: "foobaz" },
      ],
      ops: [],
    };
    ts.ops.push({ op: { kind: "sha256" }, stamp: pending(sha256(foo), "deeper") });
    const hex = bytesToHex(serializeTimestamp(ts));
    expect(hex).toBe(`ff${pendingHex("barfoo")}ff${pendingHex("foobar")}ff${pendingHex("foobaz")}08${pendingHex("deeper")}`);
    const back = parseTimestamp(hexToBytes(hex), foo);
    expect(bytesToHex(serializeTimestamp(back))).toBe(hex);
  });

  it("sorts Bitcoin attestations (tag 05…) before pending ones (tag 83…) and ops by tag then argument", () => {
    const msg = sha256("x");
    const ts = newTimestamp(msg);
    ts.attestations.push({ kind: "pending", uri: "https://b.example" }, { kind: "bitcoin", height: 358391 });
    mergeTimestamp(ts, timestampFromPath(msg, [{ kind: "prepend", arg: Uint8Array.of(1) }], pending(Uint8Array.of(1, ...msg), "p")));
    mergeTimestamp(ts, timestampFromPath(msg, [{ kind: "append", arg: Uint8Array.of(2) }], pending(Uint8Array.of(...msg, 2), "a2")));
    mergeTimestamp(ts, timestampFromPath(msg, [{ kind: "append", arg: Uint8Array.of(1) }], pending(Uint8Array.of(...msg, 1), "a1")));
    mergeTimestamp(ts, timestampFromPath(msg, [{ kind: "sha256" }], pending(sha256(msg), "s")));
    const hex = bytesToHex(serializeTimestamp(ts));
    expect(hex).toBe(
      [
        "ff000588960d73d7190103f7ef15",
        `ff${pendingHex("https://b.example")}`,
        `ff08${pendingHex("s")}`,
        `fff00101${pendingHex("a1")}`,
        `fff00102${pendingHex("a2")}`,
        `f10101${pendingHex("p")}`,
      ].join(""),
    );
    expect(bytesToHex(serializeTimestamp(parseTimestamp(hexToBytes(hex), msg)))).toBe(hex);
  });

  it("keeps unknown attestations byte for byte", () => {
    const msg = sha256("y");
    const hex = `ff00010203040506070403616263${pendingHex("z")}`;
    const ts = parseTimestamp(hexToBytes(hex), msg);
    expect(ts.attestations.find((a) => a.kind === "unknown")).toMatchObject({ kind: "unknown" });
    expect(bytesToHex(serializeTimestamp(ts))).toBe(hex);
  });

  it("refuses an empty timestamp", () => {
    expect(() => serializeTimestamp(newTimestamp(sha256("")))).toThrow(/empty/);
  });
});

describe("parseDetached", () => {
  it("reads hello-world.txt.ots (block 358391) and writes it back identically", () => {
    const bytes = hexToBytes(HELLO_WORLD_OTS);
    const ots = parseDetached(bytes);
    expect(bytesToHex(ots.fileDigest)).toBe(bytesToHex(sha256("Hello World!\n")));
    const atts = allAttestations(ots.timestamp);
    expect(atts).toHaveLength(1);
    expect(atts[0].attestation).toEqual({ kind: "bitcoin", height: 358391 });
    // The python reference walks to this message too (b2lx: the block's merkle root in display order).
    expect(bytesToHex(Uint8Array.from(atts[0].msg).reverse())).toBe("8a1b66ecb7cbd07d8139a7e7d7f2c41aab1f5009b8364aaf61d03ad245e47e00");
    expect(bytesToHex(serializeDetached(ots))).toBe(HELLO_WORLD_OTS);
  });

  it("reads incomplete.txt.ots (pending at alice) and writes it back identically", () => {
    const ots = parseDetached(hexToBytes(INCOMPLETE_OTS));
    expect(allAttestations(ots.timestamp).map((a) => a.attestation)).toEqual([{ kind: "pending", uri: "https://alice.btc.calendar.opentimestamps.org" }]);
    expect(bytesToHex(serializeDetached(ots))).toBe(INCOMPLETE_OTS);
  });

  it("reads the reference's empty-file vector", () => {
    const hex = `${MAGIC}0108e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855${pendingHex("foobar")}`;
    expect(bytesToHex(serializeDetached(parseDetached(hexToBytes(hex))))).toBe(hex);
  });

  const garbage: [string, string][] = [
    ["empty input", ""],
    ["a bad magic", `00${Buffer.from("Not a OpenTimestamps Proof ").toString("hex")}00bf89e2e884e8929401`],
    ["version 0", `${MAGIC}00`],
    ["version 2", `${MAGIC}02`],
    ["a sha1 file hash", `${MAGIC}0102${"00".repeat(20)}${pendingHex("x")}`],
    ["a truncated digest", `${MAGIC}0108${"00".repeat(10)}`],
    ["no timestamp", `${MAGIC}0108${"00".repeat(32)}`],
    ["an unknown operation", `${MAGIC}0108${"00".repeat(32)}42${pendingHex("x")}`],
    ["trailing garbage", `${MAGIC}0108${"00".repeat(32)}${pendingHex("x")}${Buffer.from("trailing garbage").toString("hex")}`],
    ["an empty append argument", `${MAGIC}0108${"00".repeat(32)}f000${pendingHex("x")}`],
    ["an append argument longer than the input", `${MAGIC}0108${"00".repeat(32)}f0ff7f00`],
    ["a forbidden URI character", `${MAGIC}0108${"00".repeat(32)}00${PENDING}0302613f`],
    ["attestation payload with trailing bytes", `${MAGIC}0108${"00".repeat(32)}000588960d73d719010201ff`],
    ["an endless varuint", `${MAGIC}0108${"00".repeat(32)}f0${"ff".repeat(20)}`],
    ["a result past 4096 bytes", `${MAGIC}0108${"00".repeat(32)}f0a020${"00".repeat(4128)}${pendingHex("x")}`],
    ["a sha256 chain deeper than 256", `${MAGIC}0108${"00".repeat(32)}${"08".repeat(300)}${pendingHex("x")}`],
    ["a fork marker with nothing after it", `${MAGIC}0108${"00".repeat(32)}ff`],
  ];
  for (const [what, hex] of garbage) {
    it(`refuses ${what} with an OtsParseError`, () => {
      expect(() => parseDetached(hexToBytes(hex))).toThrow(OtsParseError);
    });
  }

  it("refuses random bytes with an OtsParseError only, never anything else", () => {
    for (let i = 0; i < 300; i++) {
      const tail = Uint8Array.from(randomBytes(1 + (i % 200)));
      const bytes = Uint8Array.from([...hexToBytes(`${MAGIC}0108`), ...randomBytes(32), ...tail]);
      try {
        parseDetached(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(OtsParseError);
      }
    }
  });

  it("bounds the number of branches", () => {
    const forks = `ff${pendingHex("x")}`.repeat(20);
    const hex = `${MAGIC}0108${"00".repeat(32)}${`fff00101${forks}${pendingHex("y")}`.repeat(30)}08${pendingHex("z")}`;
    expect(() => parseDetached(hexToBytes(hex), { maxNodes: 10 })).toThrow(/too many branches/);
  });
});

if (referenceClientMissing) console.warn(`${referenceClientMissing} (buildMerkleBatch is then checked without its reference tree)`);

describe("buildMerkleBatch", () => {
  // The reference tree, computed by python-opentimestamps' make_merkle_tree over the same nonced leaves.
  function pythonRoot(nonced: Uint8Array[]): string {
    const script = [
      "import sys",
      "from opentimestamps.core.timestamp import Timestamp, make_merkle_tree",
      "leaves=[Timestamp(bytes.fromhex(h)) for h in sys.argv[1:]]",
      "print(make_merkle_tree(leaves).msg.hex())",
    ].join("\n");
    return execFileSync("/usr/bin/python3", ["-c", script, ...nonced.map(bytesToHex)], { encoding: "utf8" }).trim();
  }

  for (const n of [1, 2, 3, 5, 8, 13]) {
    it(`builds the reference tree of ${n} leaves, every path leading from its leaf to the root`, () => {
      const leaves = Array.from({ length: n }, (_, i) => sha256(`activity ${i}`));
      const nonces = leaves.map((_, i) => sha256(`nonce ${i}`).slice(0, 16));
      const batch = buildMerkleBatch(leaves, (i) => nonces[i]);
      expect(batch.paths).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        expect(bytesToHex(walkPath(leaves[i], batch.paths[i]))).toBe(bytesToHex(batch.root));
        expect(batch.paths[i].slice(0, 2)).toEqual([{ kind: "append", arg: nonces[i] }, { kind: "sha256" }]);
        expect(parseOps(serializeOps(batch.paths[i]))).toEqual(batch.paths[i]);
      }
      const nonced = leaves.map((l, i) => sha256(Uint8Array.from([...l, ...nonces[i]])));
      if (referenceClientMissing === null) expect(bytesToHex(batch.root)).toBe(pythonRoot(nonced));
    });
  }

  it("uses a fresh random nonce per leaf by default, so equal digests get different paths", () => {
    const leaf = sha256("same");
    const batch = buildMerkleBatch([leaf, leaf]);
    expect(batch.paths[0][0]).not.toEqual(batch.paths[1][0]);
  });

  it("refuses an empty batch", () => {
    expect(() => buildMerkleBatch([])).toThrow(/at least one leaf/);
  });
});
