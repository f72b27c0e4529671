// The typed failures safeFetch answers with instead of throwing, the Refusal that carries one from
// wherever it is decided up to safeFetch, and how an underlying error is put into words.

export type SafeFetchFailureReason = "timeout" | "too_large" | "private_address" | "redirect_refused" | "network" | "bad_url";

export type SafeFetchFailure = {
  ok: false;
  reason: SafeFetchFailureReason;
  message: string;
  /** For `network`: the underlying error alone (e.g. "ECONNREFUSED: connect ECONNREFUSED …"). */
  detail?: string;
};

/** A failure decided by safeFetch itself, thrown internally and turned into a result. */
export class Refusal extends Error {
  constructor(
    readonly reason: SafeFetchFailureReason,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "Refusal";
  }
}

export function toFailure(refusal: Refusal): SafeFetchFailure {
  const failure: SafeFetchFailure = { ok: false, reason: refusal.reason, message: refusal.message };
  if (refusal.detail !== undefined) failure.detail = refusal.detail;
  return failure;
}

export function listCauses(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

export function describeInnermostError(err: unknown): string {
  const chain = listCauses(err);
  const last = chain[chain.length - 1];
  if (last instanceof Error) {
    const code = (last as { code?: unknown }).code;
    return typeof code === "string" && !last.message.includes(code) ? `${code}: ${last.message}` : last.message;
  }
  return String(last);
}
