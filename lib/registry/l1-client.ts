// The L1 client of record-run (product.md §3): fetches `GET {l1}/runs/{id}` from a configured
// renderer only, within 10 s and 1 MiB, and turns the run document into a checked, normalised
// `L1Run`. Every failure is a typed result with a message a person can act on; whether a run that
// is not completed may be recorded is the caller's decision.
import { z } from "zod";
import type { ListedL1 } from "@/lib/config";
import { findJsonProblem } from "@/lib/http";
import { safeFetch, type FetchLike } from "@/lib/outbound";

const L1_FETCH_TIMEOUT_MS = 10_000;
const L1_RUN_MAX_BYTES = 1024 * 1024;
/** More inputs than this is not a run L2 records in one transaction. */
const L1_RUN_MAX_INPUTS = 1000;
const MAX_RUN_ID_LENGTH = 200;
const MAX_RECIPE_DEPTH = 32;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface L1RunInput {
  /** 64 hex, lower case. */
  contentHash: string;
  name?: string;
  ipfsCid?: string;
}

export interface L1RunOutput {
  /** 64 hex, lower case. */
  contentHash: string;
  ipfsCid?: string;
}

export interface L1Run {
  runId: string;
  /** As the L1 wrote it ("completed", "running", "failed"…). */
  status: string;
  /** A recipe reference (string) or the recipe itself (a plain JSON object), as given. */
  recipe: string | JsonObject;
  inputs: L1RunInput[];
  /** Null only for runs that are not completed. */
  output: L1RunOutput | null;
  effectsCommit?: string;
  createdAt?: string;
  completedAt?: string;
  username?: string;
}

export type L1RunFailureReason = "invalid_run_id" | "unreachable" | "timeout" | "too_large" | "http_error" | "malformed" | "not_found";

export type L1RunResult = { ok: true; run: L1Run } | { ok: false; reason: L1RunFailureReason; message: string };

export interface FetchL1RunParams {
  /** Only a configured L1 (lib/renderers' requireListedL1 made it one) is ever fetched from. */
  l1Server: ListedL1;
  runId: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 1 MiB. */
  maxBytes?: number;
  /** Default: the global fetch. */
  fetchImpl?: FetchLike;
}

/**
 * The form L1 URLs are compared in (as lib/config.ts writes L1_SERVERS): lower-case origin plus
 * path without trailing slash. Null for anything that is not a plain http(s) URL.
 */

// ---------------------------------------------------------------------------------------------
// The run document

const HASH_MESSAGE = "must be a SHA3-256 content hash (64 hex characters)";
const contentHash = z
  .string({ error: HASH_MESSAGE })
  .regex(/^[0-9a-fA-F]{64}$/, HASH_MESSAGE)
  .transform((h) => h.toLowerCase());

/** An optional text field; null and "" (what Python servers write for "none") count as absent. */
function makeOptionalText(max: number) {
  return z
    .string()
    .max(max)
    .nullish()
    .transform((v) => (v ? v : undefined));
}

/** ISO text as given; a number is read as a Unix time (seconds, or milliseconds when that large). */
const optionalTime = z
  .union([z.string().max(64), z.number()])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined || v === "") return undefined;
    if (typeof v === "string") return v;
    const date = new Date(Math.abs(v) < 1e12 ? v * 1000 : v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: "is not a time" });
      return z.NEVER;
    }
    return date.toISOString();
  });

const inputObject = z.object({
  content_hash: contentHash,
  name: makeOptionalText(256),
  ipfs_cid: makeOptionalText(256),
});

const runInput = z.union([contentHash, inputObject], {
  error: "must be a content hash or an object with a content_hash",
});

const runDocument = z.object({
  run_id: z.union([z.string().min(1).max(MAX_RUN_ID_LENGTH), z.number()], { error: "must be a string" }),
  status: z.string({ error: "must be a string" }).min(1).max(64),
  // Checked and copied by toPlainJsonObject: zod would rebuild the object itself.
  recipe: z.unknown().refine((r) => typeof r === "string" || isPlainObject(r), {
    message: "must be a string or a JSON object",
  }),
  inputs: z.array(runInput, { error: "must be an array" }).max(L1_RUN_MAX_INPUTS, `must list at most ${L1_RUN_MAX_INPUTS} inputs`),
  output_hash: contentHash.nullish(),
  output: z.object({ content_hash: contentHash, ipfs_cid: makeOptionalText(256) }, { error: "must be an object" }).nullish(),
  output_ipfs_cid: makeOptionalText(256),
  effects_commit: makeOptionalText(128),
  created_at: optionalTime,
  completed_at: optionalTime,
  username: makeOptionalText(64),
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A fresh copy of `value` made only of JSON values, or a description of what is not. Keys such as
 * `__proto__` (which JSON.parse keeps as own keys) stay own data properties: Object.fromEntries
 * defines properties rather than assigning them, so no prototype can be swapped.
 */
function toPlainJson(value: unknown, path: string, depth: number): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${path} is not a finite number`);
    return value;
  }
  if (depth >= MAX_RECIPE_DEPTH) throw new TypeError(`${path} nests deeper than ${MAX_RECIPE_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v, i) => toPlainJson(v, `${path}[${i}]`, depth + 1));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainJson(v, `${path}.${k}`, depth + 1)]));
  }
  throw new TypeError(`${path} is not JSON`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  let where = "";
  for (const key of issue.path) {
    where += typeof key === "number" ? `[${key}]` : `${where ? "." : ""}${String(key)}`;
  }
  return where ? `${where} ${issue.message}` : issue.message;
}

/** Validates and normalises a parsed run document; a string names the problem. */
function readRunDocument(json: unknown, runId: string): L1Run | string {
  if (!isPlainObject(json)) return "the answer is not a JSON object";
  const parsed = runDocument.safeParse(json);
  if (!parsed.success) return describeIssue(parsed.error.issues[0]);
  const doc = parsed.data;

  const answeredId = String(doc.run_id);
  if (answeredId !== runId) return `it describes run '${answeredId}', not '${runId}'`;

  let recipe: string | JsonObject;
  try {
    recipe = typeof doc.recipe === "string" ? doc.recipe : (toPlainJson(doc.recipe, "recipe", 0) as JsonObject);
  } catch (err) {
    return (err as Error).message;
  }

  const fromObject = doc.output?.content_hash;
  if (fromObject && doc.output_hash && fromObject !== doc.output_hash) {
    return "output.content_hash and output_hash disagree";
  }
  const outputHash = fromObject ?? doc.output_hash ?? undefined;
  if (doc.status === "completed" && !outputHash) return "the run is completed but names no output hash";
  const outputCid = doc.output?.ipfs_cid ?? doc.output_ipfs_cid;

  const run: L1Run = {
    runId: answeredId,
    status: doc.status,
    recipe,
    inputs: doc.inputs.map((i): L1RunInput => {
      if (typeof i === "string") return { contentHash: i };
      const input: L1RunInput = { contentHash: i.content_hash };
      if (i.name) input.name = i.name;
      if (i.ipfs_cid) input.ipfsCid = i.ipfs_cid;
      return input;
    }),
    output: outputHash ? { contentHash: outputHash, ...(outputCid ? { ipfsCid: outputCid } : {}) } : null,
  };
  if (doc.effects_commit) run.effectsCommit = doc.effects_commit;
  if (doc.created_at) run.createdAt = doc.created_at;
  if (doc.completed_at) run.completedAt = doc.completed_at;
  if (doc.username) run.username = doc.username;
  return run;
}

// ---------------------------------------------------------------------------------------------
// The request

function describeSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function describeBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * The run id as one path segment. Dots are encoded too, so `.` and `..` cannot become dot
 * segments; a whole segment of only dots is refused, because URL parsers read `%2E%2E` as `..`.
 */
function encodeRunId(runId: string): string | null {
  if (runId.length === 0 || runId.length > MAX_RUN_ID_LENGTH) return null;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(runId)) return null;
  if (/^\.+$/.test(runId)) return null;
  try {
    return encodeURIComponent(runId).replace(/\./g, "%2E");
  } catch {
    return null; // a lone surrogate
  }
}

/**
 * Fetches run `runId` from the configured L1 `l1Server`. Never throws for what the L1 does: the
 * result says what went wrong.
 */
export async function fetchL1Run(params: FetchL1RunParams): Promise<L1RunResult> {
  const timeoutMs = params.timeoutMs ?? L1_FETCH_TIMEOUT_MS;
  const maxBytes = params.maxBytes ?? L1_RUN_MAX_BYTES;
  const l1 = params.l1Server;
  const runId = params.runId;
  const segment = encodeRunId(runId);
  const url = segment === null ? null : `${l1}/runs/${segment}`;
  // Belt and braces: the URL must still point at exactly {l1}/runs/{one segment}.
  if (url === null || new URL(url).pathname !== `${new URL(l1).pathname.replace(/\/$/, "")}/runs/${segment}`) {
    return {
      ok: false,
      reason: "invalid_run_id",
      message: `A run id is 1–${MAX_RUN_ID_LENGTH} characters, without control characters, and not only dots.`,
    };
  }

  const result = await safeFetch(url, {
    method: "GET",
    headers: { accept: "application/json" },
    timeoutMs,
    maxBytes,
    // Configured L1s are trusted as configured (product.md §9), private addresses included.
    allowPrivateAddresses: true,
    fetchImpl: params.fetchImpl,
  });
  if (!result.ok) {
    switch (result.reason) {
      case "timeout":
        return { ok: false, reason: "timeout", message: `The L1 ${l1} did not answer within ${describeSeconds(timeoutMs)}.` };
      case "too_large":
        return {
          ok: false,
          reason: "too_large",
          message: `The L1 ${l1} answered with more than ${describeBytes(maxBytes)} for run '${runId}'; a run document must be smaller.`,
        };
      case "redirect_refused":
        return {
          ok: false,
          reason: "http_error",
          message: `The L1 ${l1} redirected the request for run '${runId}' somewhere L2 does not follow (${result.message})`,
        };
      default:
        return { ok: false, reason: "unreachable", message: `The L1 ${l1} could not be reached (${result.detail ?? result.message}).` };
    }
  }
  if (result.status === 404 || result.status === 410) {
    return { ok: false, reason: "not_found", message: `The L1 ${l1} has no run '${runId}'.` };
  }
  if (result.status < 200 || result.status > 299) {
    return { ok: false, reason: "http_error", message: `The L1 ${l1} answered HTTP ${result.status} for run '${runId}'.` };
  }

  const malformed = (problem: string): L1RunResult => ({
    ok: false,
    reason: "malformed",
    message: `The L1 ${l1} answered run '${runId}' with a document L2 cannot use: ${problem}.`,
  });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(result.body));
  } catch {
    return malformed("it is not valid JSON");
  }
  // What the L1 says is stored and signed: NUL or a lone surrogate anywhere would fail in the
  // database (or be stored as U+FFFD under a signature over the original).
  const unstorable = findJsonProblem(json, "", true);
  if (unstorable) return malformed(`${unstorable.field} ${unstorable.message}`);
  const run = readRunDocument(json, runId);
  return typeof run === "string" ? malformed(run) : { ok: true, run };
}
