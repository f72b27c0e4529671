import { requireListedL1 } from "@/lib/renderers";
import type { AppContext } from "@/lib/context";
import { assertCanonicalizable, CanonicalJsonError, MAX_CANONICAL_DEPTH } from "@/lib/crypto";
import { isUniqueViolation } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ActivityJson } from "./activities";
import { explainClaimConflict, getAsset, signClaim, writeClaims, type AssetView, type SignedClaim } from "./assets";
import { fetchL1Run, type L1Run } from "./l1-client";
import type { AssetType, RecordRunInput } from "./schemas";

export interface RecordedInput {
  content_hash: string;
  name: string;
  /** True when this recording registered it; false when it was already in the registry. */
  registered: boolean;
}

export interface RecordRunResult {
  /** 201 for a new recording, 200 when the run had been recorded before. */
  status: 201 | 200;
  asset: AssetView;
  activity: ActivityJson;
  inputs: RecordedInput[];
}

export interface RecordRunOptions {
  /** For tests; production uses global fetch with the 10 s / 1 MiB limits of product.md §3. */
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

async function existingRecording(ctx: AppContext, l1: string, runId: string): Promise<RecordRunResult | null> {
  const row = await ctx.prisma.asset.findUnique({
    where: { runL1Server_runId: { runL1Server: l1, runId } },
    select: { name: true, activity: { select: { body: true } } },
  });
  if (!row) return null;
  const asset = (await getAsset(ctx, row.name))!;
  const inputs = ((asset.provenance?.inputs ?? []) as { content_hash: string; name: string }[]).map((i) => ({
    content_hash: i.content_hash,
    name: i.name,
    registered: false,
  }));
  return { status: 200, asset, activity: JSON.parse(row.activity.body) as ActivityJson, inputs };
}

function provenanceOf(run: L1Run, l1: string, inputs: RecordedInput[]): Record<string, unknown> {
  const provenance: Record<string, unknown> = {
    run_id: run.runId,
    l1_server: l1,
    recipe: run.recipe ?? null,
    inputs: inputs.map((i) => ({ content_hash: i.content_hash, name: i.name })),
  };
  if (run.effectsCommit) provenance.effects_commit = run.effectsCommit;
  if (run.createdAt) provenance.created_at = run.createdAt;
  if (run.completedAt) provenance.completed_at = run.completedAt;
  return provenance;
}

/**
 * Records a completed L1 run as an owned asset (product.md §3): fetches the run from a configured
 * L1 only, registers each unregistered input as `input-{16 hex}` and the output under `output_name`
 * with its provenance, all in one transaction. Recording the same run again answers the existing
 * asset. @throws AppError l1_not_allowed, bad_gateway, not_found, run_not_completed, forbidden, 409s
 */
export async function recordRun(ctx: AppContext, owner: string, input: RecordRunInput, options: RecordRunOptions = {}): Promise<RecordRunResult> {
  const l1 = requireListedL1(ctx, input.l1_server, "nothing was fetched");
  const before = await existingRecording(ctx, l1, input.run_id);
  if (before) return before;

  const fetched = await fetchL1Run({
    l1Server: l1,
    runId: input.run_id,
    timeoutMs: options.timeoutMs,
    fetchImpl: options.fetchImpl,
  });
  if (!fetched.ok) {
    if (fetched.reason === "not_found") throw new AppError("not_found", fetched.message);
    if (fetched.reason === "invalid_run_id") throw new AppError("invalid_request", fetched.message, { fields: { run_id: fetched.message } });
    throw new AppError("bad_gateway", fetched.message);
  }
  const run = fetched.run;
  if (run.status !== "completed") {
    throw new AppError("run_not_completed", `The run ${run.runId} is ${run.status}; only completed runs can be recorded.`);
  }
  if (!run.output) throw new AppError("bad_gateway", `The L1 ${l1} described run ${run.runId} without an output hash.`);
  if (run.username && run.username !== owner) {
    throw new AppError("forbidden", `The run ${run.runId} belongs to ${run.username} on ${l1}, not to you.`);
  }
  const output = run.output;
  const assetType: AssetType = input.asset_type ?? "unknown";

  // Inputs already in the registry keep their names; the others get input-{first 16 hex}.
  const known = await ctx.prisma.asset.findMany({
    where: { contentHash: { in: run.inputs.map((i) => i.contentHash) } },
    select: { contentHash: true, name: true },
  });
  const knownNames = new Map(known.map((k) => [k.contentHash, k.name]));
  const inputs: RecordedInput[] = [];
  const seen = new Set<string>();
  for (const i of run.inputs) {
    if (seen.has(i.contentHash)) continue;
    seen.add(i.contentHash);
    const name = knownNames.get(i.contentHash);
    inputs.push({ content_hash: i.contentHash, name: name ?? `input-${i.contentHash.slice(0, 16)}`, registered: !name });
  }
  const provenance = provenanceOf(run, l1, inputs);
  try {
    assertCanonicalizable(provenance, "provenance", { maxDepth: MAX_CANONICAL_DEPTH - 2 });
  } catch (err) {
    if (err instanceof CanonicalJsonError) throw new AppError("bad_gateway", `The L1 ${l1} sent a run that cannot be signed exactly (${err.message}).`);
    throw err;
  }

  // Signed before the transaction, which then only writes (see writeClaims).
  const claims: SignedClaim[] = [];
  for (const i of inputs.filter((x) => x.registered)) {
    const source = run.inputs.find((r) => r.contentHash === i.content_hash);
    claims.push(
      await signClaim(ctx, {
        owner,
        name: i.name,
        contentHash: i.content_hash,
        assetType: "unknown",
        tags: [],
        metadata: {},
        ipfsCid: source?.ipfsCid ?? null,
      }),
    );
  }
  claims.push(
    await signClaim(ctx, {
      owner,
      name: input.output_name,
      contentHash: output.contentHash,
      assetType,
      tags: [],
      metadata: {},
      ipfsCid: output.ipfsCid ?? null,
      provenance,
      runL1Server: l1,
      runId: run.runId,
    }),
  );

  try {
    const written = await writeClaims(ctx, claims, { timeoutMs: 30_000 });
    const result = written[written.length - 1];
    return { status: 201, asset: result.asset, activity: result.activity, inputs };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // A concurrent recording of the same run won: answer it.
    const again = await existingRecording(ctx, l1, input.run_id);
    if (again) return again;
    throw await explainClaimConflict(ctx, { contentHash: output.contentHash, name: input.output_name });
  }
}
