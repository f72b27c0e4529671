import { constants, sign, verify, type KeyObject } from "node:crypto";

/** RFC 9421 §6.2 algorithm names we sign or verify with (HMAC is out: there are no shared secrets). */
export type Rfc9421Algorithm = "rsa-v1_5-sha256" | "rsa-v1_5-sha512" | "rsa-pss-sha512" | "ed25519" | "ecdsa-p256-sha256" | "ecdsa-p384-sha384";

export type KeyKind = "rsa" | "ed25519" | "ec-p256" | "ec-p384" | "unsupported";

interface AlgorithmSpec {
  kind: KeyKind;
  hash: "sha256" | "sha384" | "sha512" | null;
  padding?: number;
  saltLength?: number;
  dsaEncoding?: "ieee-p1363";
}

const RFC9421_ALGORITHMS: Record<Rfc9421Algorithm, AlgorithmSpec> = {
  "rsa-v1_5-sha256": { kind: "rsa", hash: "sha256", padding: constants.RSA_PKCS1_PADDING },
  "rsa-v1_5-sha512": { kind: "rsa", hash: "sha512", padding: constants.RSA_PKCS1_PADDING },
  "rsa-pss-sha512": { kind: "rsa", hash: "sha512", padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  ed25519: { kind: "ed25519", hash: null },
  // RFC 9421 §3.3.4/§3.3.5: ECDSA signatures are r||s, not DER.
  "ecdsa-p256-sha256": { kind: "ec-p256", hash: "sha256", dsaEncoding: "ieee-p1363" },
  "ecdsa-p384-sha384": { kind: "ec-p384", hash: "sha384", dsaEncoding: "ieee-p1363" },
};

export function isRfc9421Algorithm(name: string): name is Rfc9421Algorithm {
  return Object.hasOwn(RFC9421_ALGORITHMS, name);
}

export function keyKind(key: KeyObject): KeyKind {
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return "rsa";
    case "ed25519":
      return "ed25519";
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === "prime256v1" ? "ec-p256" : curve === "secp384r1" ? "ec-p384" : "unsupported";
    }
    default:
      return "unsupported";
  }
}

/** Whether this key can make signatures of this algorithm. */
export function keyFits(algorithm: Rfc9421Algorithm, key: KeyObject): boolean {
  return RFC9421_ALGORITHMS[algorithm].kind === keyKind(key);
}

/** The algorithm a key implies when a signature does not name one (RFC 9421 §3.2 step 6). */
export function defaultAlgorithmFor(key: KeyObject): Rfc9421Algorithm | null {
  if (key.asymmetricKeyType === "rsa-pss") return "rsa-pss-sha512";
  switch (keyKind(key)) {
    case "rsa":
      return "rsa-v1_5-sha256";
    case "ed25519":
      return "ed25519";
    case "ec-p256":
      return "ecdsa-p256-sha256";
    case "ec-p384":
      return "ecdsa-p384-sha384";
    default:
      return null;
  }
}

function keyInput(spec: AlgorithmSpec, key: KeyObject) {
  return { key, padding: spec.padding, saltLength: spec.saltLength, dsaEncoding: spec.dsaEncoding };
}

/** Signs bytes; throws TypeError when the key cannot make this kind of signature (a caller's mistake). */
export function signBytes(algorithm: Rfc9421Algorithm, key: KeyObject, data: Uint8Array): Buffer {
  const spec = RFC9421_ALGORITHMS[algorithm];
  if (key.type !== "private") throw new TypeError("signing needs a private key");
  if (!keyFits(algorithm, key)) {
    throw new TypeError(`a ${key.asymmetricKeyType ?? "secret"} key cannot sign ${algorithm}`);
  }
  return sign(spec.hash, data, keyInput(spec, key));
}

/** Verifies bytes; false (never a throw) on any mismatch, wrong key type or garbage signature. */
export function verifyBytes(algorithm: Rfc9421Algorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const spec = RFC9421_ALGORITHMS[algorithm];
  if (!keyFits(algorithm, key)) return false;
  try {
    return verify(spec.hash, data, keyInput(spec, key), signature);
  } catch {
    return false;
  }
}

/** draft-cavage `algorithm` labels we verify (lower-case). */
export const CAVAGE_ALGORITHMS = ["rsa-sha256", "rsa-sha512", "hs2019", "ed25519", "ed25519-sha512"] as const;
export type CavageAlgorithm = (typeof CAVAGE_ALGORITHMS)[number];

export function isCavageAlgorithm(label: string): label is CavageAlgorithm {
  return (CAVAGE_ALGORITHMS as readonly string[]).includes(label);
}

/**
 * What a cavage label means for a given key, as RFC 9421 algorithms to try in order; empty when
 * the label and the key do not go together (e.g. `rsa-sha256` with an Ed25519 key).
 *
 * `hs2019` means "look at the key": the fediverse (Mastodon, GoToSocial, Misskey) uses
 * RSASSA-PKCS1-v1_5 with SHA-256 for RSA keys under that label, while the draft itself says
 * RSASSA-PSS with SHA-512, so both are tried. Ed25519 is pure Ed25519 over the signing string
 * (`ed25519-sha512` is Joyent's label for the same thing).
 */
export function cavageCandidates(label: CavageAlgorithm, key: KeyObject): Rfc9421Algorithm[] {
  const kind = keyKind(key);
  switch (label) {
    case "rsa-sha256":
      return kind === "rsa" ? ["rsa-v1_5-sha256"] : [];
    case "rsa-sha512":
      return kind === "rsa" ? ["rsa-v1_5-sha512"] : [];
    case "ed25519":
    case "ed25519-sha512":
      return kind === "ed25519" ? ["ed25519"] : [];
    case "hs2019":
      if (kind === "rsa") return key.asymmetricKeyType === "rsa-pss" ? ["rsa-pss-sha512"] : ["rsa-v1_5-sha256", "rsa-pss-sha512"];
      return kind === "ed25519" ? ["ed25519"] : [];
  }
}
