/** What a form's server action hands back to the form: a message, per-field errors, values to keep. */
export interface FormState {
  error?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
}
