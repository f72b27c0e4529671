import type { ProofCheck, SignatureCheck } from "@/lib/registry";

/** The outcome of checking an activity's Art DAG signature, in words a test and a person can read. */
export function SignatureStatus({ check }: { check: SignatureCheck }) {
  if (check.verified) {
    return (
      <p className="inline-flex items-center gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-1.5 text-sm font-medium text-emerald-800">
        <span aria-hidden>✓</span>
        <span data-testid="signature-status">signature verified</span>
      </p>
    );
  }
  return (
    <p className="inline-flex items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-1.5 text-sm font-medium text-red-700">
      <span aria-hidden>✗</span>
      <span data-testid="signature-status">signature NOT verified: {check.reason}</span>
    </p>
  );
}

/** The outcome of checking an activity's FEP-8b32 Data Integrity proof (eddsa-jcs-2022). */
export function ProofStatus({ check }: { check: ProofCheck }) {
  if (check.verified) {
    return (
      <p className="inline-flex items-center gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-1.5 text-sm font-medium text-emerald-800">
        <span aria-hidden>✓</span>
        <span data-testid="proof-status">FEP-8b32 proof verified</span>
      </p>
    );
  }
  return (
    <p className="inline-flex items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-1.5 text-sm font-medium text-red-700">
      <span aria-hidden>✗</span>
      <span data-testid="proof-status">FEP-8b32 proof NOT verified: {check.reason}</span>
    </p>
  );
}
