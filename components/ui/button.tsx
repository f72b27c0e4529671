import type { ButtonHTMLAttributes } from "react";
import { Spinner } from "./spinner";

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** While an action runs: disabled, marked aria-busy, a spinner before the label. */
  busy?: boolean;
};

/** The primary action button. */
export function Button({ className = "", busy, children, ...props }: ButtonProps) {
  return (
    <button
      {...props}
      disabled={busy || props.disabled}
      aria-busy={busy || props["aria-busy"]}
      className={`inline-flex items-center justify-center rounded-md bg-accent px-4 py-2 text-sm font-medium text-white shadow-sm transition hover:bg-accent-dark focus:outline-none focus-visible:ring-2 focus-visible:ring-accent focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-60 ${className}`}
    >
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

/** A quieter button for actions beside a list item (white, bordered). */
export function SecondaryButton({ busy, children, ...props }: ButtonProps) {
  return (
    <button
      type="button"
      {...props}
      disabled={busy || props.disabled}
      aria-busy={busy || props["aria-busy"]}
      className="inline-flex items-center rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-700 shadow-sm hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-accent disabled:cursor-wait disabled:opacity-60"
    >
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}
