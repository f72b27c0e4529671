// The contract between a form component (AccountForm) and the server actions behind it; it sits
// here, below both, so components/ never imports from app/.
/** What a form's server action hands back to the form: a message, per-field errors, values to keep. */
export interface FormState {
  error?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
}

/** The answer of a form action called with something else than a form (a hand-made action call). */
export function notAForm(): FormState {
  return { error: "This action takes the form's fields; submit the form on this site's page." };
}
