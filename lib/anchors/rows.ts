// An anchor as stored: its row, the `calendars` JSON column and the timestamp bytes, with the
// lookups and the row lock that views, batching, upgrades and verification share.
import type { AppContext } from "@/lib/context";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { allAttestations, newTimestamp, parseTimestamp, serializeTimestamp, type OtsTimestamp } from "./ots";
import { hexToBytes } from "./ots-bytes";

type Tx = Prisma.TransactionClient;

const ROOT = /^[0-9a-f]{64}$/;

/** What the `calendars` JSON column holds per calendar; `commitments` stays internal. */
export interface CalendarEntry {
  url: string;
  state: "pending" | "failed" | "complete";
  attempts: number;
  error: string | null;
  answeredAt: string | null;
  /** Hex of the messages that carry this calendar's pending attestations: what to ask it about. */
  commitments: string[];
}

export interface AnchorRow {
  id: number;
  root: string;
  state: string;
  activityCount: number;
  calendars: Prisma.JsonValue;
  timestamp: Uint8Array | null;
  blockHeight: number | null;
  blockTime: Date | null;
  lastError: string | null;
  createdAt: Date;
  submittedAt: Date | null;
  upgradedAt: Date | null;
  confirmedAt: Date | null;
}

export function readEntries(json: Prisma.JsonValue): CalendarEntry[] {
  if (!Array.isArray(json)) return [];
  const out: CalendarEntry[] = [];
  for (const raw of json) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) continue;
    const e = raw as Record<string, unknown>;
    if (typeof e.url !== "string") continue;
    out.push({
      url: e.url,
      state: e.state === "failed" || e.state === "complete" ? e.state : "pending",
      attempts: typeof e.attempts === "number" ? e.attempts : 0,
      error: typeof e.error === "string" ? e.error : null,
      answeredAt: typeof e.answeredAt === "string" ? e.answeredAt : null,
      commitments: Array.isArray(e.commitments) ? e.commitments.filter((c): c is string => typeof c === "string") : [],
    });
  }
  return out;
}

export function writeEntries(entries: CalendarEntry[]): Prisma.InputJsonValue {
  return entries.map((e) => ({ ...e }));
}

/** The anchor's entries, one per configured calendar (configuration may have grown since). */
export function entriesFor(ctx: AppContext, json: Prisma.JsonValue): CalendarEntry[] {
  const entries = readEntries(json);
  for (const url of ctx.config.otsCalendars) {
    if (!entries.some((e) => e.url === url)) {
      entries.push({ url, state: "pending", attempts: 0, error: null, answeredAt: null, commitments: [] });
    }
  }
  return entries;
}

export const anchorSelect = {
  id: true,
  root: true,
  state: true,
  activityCount: true,
  calendars: true,
  timestamp: true,
  blockHeight: true,
  blockTime: true,
  lastError: true,
  createdAt: true,
  submittedAt: true,
  upgradedAt: true,
  confirmedAt: true,
} as const;

/** A root from a URL: 64 hex digits. @throws AppError invalid_request */
function parseRoot(raw: string): string {
  const root = raw.trim().toLowerCase();
  if (!ROOT.test(root)) throw new AppError("invalid_request", "An anchor root is 64 hexadecimal digits (a SHA-256).");
  return root;
}

export async function findAnchorOrThrow(ctx: AppContext, root: string, db: Tx | AppContext["prisma"] = ctx.prisma): Promise<AnchorRow> {
  const row = await db.anchor.findUnique({ where: { root: parseRoot(root) }, select: anchorSelect });
  if (!row) throw new AppError("not_found", `There is no anchor with root ${root}.`);
  return row;
}

/** Locks the anchor's row for the rest of the transaction, then reads it. */
export async function lockAnchor(tx: Tx, root: string): Promise<AnchorRow | null> {
  await tx.$queryRaw`SELECT id FROM anchors WHERE root = ${root} FOR UPDATE`;
  return tx.anchor.findUnique({ where: { root }, select: anchorSelect });
}

export function readStoredTimestamp(row: AnchorRow): OtsTimestamp {
  const root = hexToBytes(row.root);
  return row.timestamp && row.timestamp.length > 0 ? parseTimestamp(Uint8Array.from(row.timestamp), root) : newTimestamp(root);
}

export function hasAnything(ts: OtsTimestamp): boolean {
  return ts.attestations.length > 0 || ts.ops.length > 0;
}

export function bitcoinAttestations(ts: OtsTimestamp): { msg: Uint8Array; height: number }[] {
  return allAttestations(ts).flatMap(({ msg, attestation }) => (attestation.kind === "bitcoin" ? [{ msg, height: attestation.height }] : []));
}

export function storedBytes(ts: OtsTimestamp): Uint8Array<ArrayBuffer> | null {
  return hasAnything(ts) ? Uint8Array.from(serializeTimestamp(ts)) : null;
}
