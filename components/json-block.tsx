import { prettyJson } from "./format";

/** A JSON value, pretty-printed as text (never as HTML). */
export function JsonBlock({ value, label, testId }: { value: unknown; label: string; testId?: string }) {
  return (
    // Focusable, so a keyboard can scroll it (it scrolls when the JSON is long or wide).
    <pre
      tabIndex={0}
      aria-label={label}
      data-testid={testId}
      className="max-h-[32rem] overflow-auto rounded-lg bg-stone-900 p-4 font-mono text-xs leading-relaxed text-stone-100"
    >
      {prettyJson(value)}
    </pre>
  );
}
