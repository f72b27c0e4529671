// Single-use registration invites (`npm run invite`). An invite is a token signed with a key derived
// from the JWT secret, so the command can issue one while the server holds the embedded database
// (no database needed to issue); its id is recorded in `used_invites` (primary key) in the same
// transaction that creates the account, so it works once, even under concurrent use.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "@/lib/errors";
import { USERNAME_PATTERN } from "./schemas";

/** How long an invite is valid by default. */
export const INVITE_TTL_DAYS = 7;

const FORMAT = /^inv1\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([a-z0-9_]{0,32})\.([A-Za-z0-9_-]{43})$/;

export interface Invite {
  id: string;
  /** The only username the invite may register (it may be a reserved one), or null for any. */
  username: string | null;
  expiresAt: Date;
}

// A key of its own, so an invite can never pass for a login token or the other way round.
function inviteKey(jwtSecret: Uint8Array): Buffer {
  return createHmac("sha256", jwtSecret).update("artdag-l2 registration invite v1").digest();
}

function mac(jwtSecret: Uint8Array, id: string, exp: string, username: string): Buffer {
  return createHmac("sha256", inviteKey(jwtSecret)).update(`${id}\n${exp}\n${username}`).digest();
}

/** A new invite token, valid for `days` days, for any username or for exactly `username`. */
export function issueInvite(jwtSecret: Uint8Array, opts: { username?: string | null; days?: number; now?: Date } = {}): { token: string; invite: Invite } {
  const username = opts.username ?? "";
  if (username && !USERNAME_PATTERN.test(username)) throw new Error(`'${username}' is not a valid username ([a-z0-9_]{1,32})`);
  const days = opts.days ?? INVITE_TTL_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error("an invite lasts 1 to 365 days");
  const id = randomBytes(16).toString("base64url");
  const expiresAt = new Date((opts.now ?? new Date()).getTime() + days * 86_400_000);
  const exp = String(Math.floor(expiresAt.getTime() / 1000));
  const token = `inv1.${id}.${exp}.${username}.${mac(jwtSecret, id, exp, username).toString("base64url")}`;
  return { token, invite: { id, username: username || null, expiresAt: new Date(Number(exp) * 1000) } };
}

/** The link that opens the registration form with an invite. */
export function inviteLink(baseUrl: string, token: string): string {
  return `${baseUrl}/register?invite=${token}`;
}

/**
 * Checks an invite's form, signature and expiry (not whether it was used: the registration's
 * transaction decides that). @throws AppError invite_invalid, invite_expired
 */
export function verifyInvite(jwtSecret: Uint8Array, token: string, now: Date): Invite {
  const m = FORMAT.exec(token);
  const invalid = new AppError("invite_invalid", "This invite link is not valid: ask the operator for a new one.");
  if (!m) throw invalid;
  const [, id, exp, username, sig] = m;
  // Compared as text: base64url's last character has spare bits, so decoding first would let two
  // spellings of one signature pass.
  const given = Buffer.from(sig);
  const expected = Buffer.from(mac(jwtSecret, id, exp, username).toString("base64url"));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid;
  const expiresAt = new Date(Number(exp) * 1000);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new AppError("invite_expired", "This invite has expired: ask the operator for a new one.");
  }
  return { id, username: username || null, expiresAt };
}
