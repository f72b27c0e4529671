// The two outside services anchoring talks to: OpenTimestamps calendars (notes/references.md §4.1:
// `POST /digest`, `GET /timestamp/<hex>`) and an Esplora block source. Their URLs come only from
// configuration (product.md §9: trusted as configured, so loopback is allowed), but every answer is
// still fetched with a deadline and a byte cap and parsed with limits: a calendar that is down,
// slow, huge or talking nonsense comes back as a failure with a reason, never as a throw.
import { safeFetch, type FetchLike } from "@/lib/outbound";
import { OTS_MEDIA_TYPE, parseTimestamp, type OtsTimestamp } from "./ots";
import { bytesToHex, OtsParseError } from "./ots-bytes";

/** Tuning for the outside calls; production uses the defaults, tests shorten them. */
export interface RemoteOptions {
  timeoutMs?: number;
  fetchImpl?: FetchLike;
}

/** A calendar answer is a few hundred bytes; anything past this is refused unread. */
const MAX_CALENDAR_ANSWER_BYTES = 64 * 1024;
const MAX_ESPLORA_ANSWER_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;

export type CalendarResult = { ok: true; timestamp: OtsTimestamp } | { ok: false; error: string };
export type CalendarUpgradeResult = CalendarResult | { ok: "pending" };

function fetchOptions(options: RemoteOptions) {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    allowPrivateAddresses: true,
    ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
  };
}

function parseAnswer(calendar: string, body: Uint8Array, msg: Uint8Array): CalendarResult {
  try {
    return { ok: true, timestamp: parseTimestamp(body, msg) };
  } catch (err) {
    const reason = err instanceof OtsParseError ? err.message : String(err);
    return { ok: false, error: `${calendar} answered something that is not a timestamp (${reason}).` };
  }
}

/** Submits a digest to one calendar: its answer is a timestamp of that digest (ending pending). */
export async function submitToCalendar(calendar: string, digest: Uint8Array, options: RemoteOptions = {}): Promise<CalendarResult> {
  const res = await safeFetch(`${calendar}/digest`, {
    ...fetchOptions(options),
    method: "POST",
    // What the reference client sends (opentimestamps/calendar.py RemoteCalendar.submit).
    headers: { accept: OTS_MEDIA_TYPE, "content-type": "application/x-www-form-urlencoded", "user-agent": "artdag-l2" },
    body: Uint8Array.from(digest),
    maxBytes: MAX_CALENDAR_ANSWER_BYTES,
    maxRedirects: 0,
  });
  if (!res.ok) return { ok: false, error: res.message };
  if (res.status !== 200) return { ok: false, error: `${calendar} answered ${res.status} to the submission.` };
  return parseAnswer(calendar, res.body, digest);
}

/** Asks one calendar for the upgraded timestamp of a commitment: 200 → timestamp, 404 → still pending. */
export async function fetchFromCalendar(calendar: string, commitment: Uint8Array, options: RemoteOptions = {}): Promise<CalendarUpgradeResult> {
  const res = await safeFetch(`${calendar}/timestamp/${bytesToHex(commitment)}`, {
    ...fetchOptions(options),
    headers: { accept: OTS_MEDIA_TYPE, "user-agent": "artdag-l2" },
    maxBytes: MAX_CALENDAR_ANSWER_BYTES,
    maxRedirects: 0,
  });
  if (!res.ok) return { ok: false, error: res.message };
  if (res.status === 404) return { ok: "pending" };
  if (res.status !== 200) return { ok: false, error: `${calendar} answered ${res.status} to an upgrade.` };
  return parseAnswer(calendar, res.body, commitment);
}

export type BlockResult = { ok: true; hash: string; merkleRoot: string; time: Date } | { ok: false; error: string };

/** Block `height` from an Esplora API: its hash, its merkle root (display hex) and its time. */
export async function fetchBlock(esplora: string, height: number, options: RemoteOptions = {}): Promise<BlockResult> {
  const base = { ...fetchOptions(options), maxBytes: MAX_ESPLORA_ANSWER_BYTES, headers: { "user-agent": "artdag-l2" } };
  const byHeight = await safeFetch(`${esplora}/block-height/${height}`, base);
  if (!byHeight.ok) return { ok: false, error: `The block source could not tell block ${height}: ${byHeight.message}` };
  if (byHeight.status === 404) return { ok: false, error: `The block source does not know block ${height}.` };
  if (byHeight.status !== 200) return { ok: false, error: `The block source answered ${byHeight.status} for block ${height}.` };
  const hash = new TextDecoder().decode(byHeight.body).trim();
  if (!/^[0-9a-f]{64}$/i.test(hash)) return { ok: false, error: `The block source answered no block hash for block ${height}.` };
  const block = await safeFetch(`${esplora}/block/${hash}`, base);
  if (!block.ok) return { ok: false, error: `The block source could not give block ${height}: ${block.message}` };
  if (block.status !== 200) return { ok: false, error: `The block source answered ${block.status} for block ${hash}.` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(block.body));
  } catch {
    return { ok: false, error: `The block source answered no JSON for block ${hash}.` };
  }
  const fields = parsed as { merkle_root?: unknown; timestamp?: unknown };
  if (typeof fields.merkle_root !== "string" || !/^[0-9a-f]{64}$/i.test(fields.merkle_root) || typeof fields.timestamp !== "number") {
    return { ok: false, error: `The block source's block ${hash} has no merkle_root or timestamp.` };
  }
  return { ok: true, hash: hash.toLowerCase(), merkleRoot: fields.merkle_root.toLowerCase(), time: new Date(fields.timestamp * 1000) };
}
