import type { ReactNode } from "react";

/** A white panel with a border. */
export function Card({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <div className={`rounded-xl border border-stone-200 bg-white p-6 shadow-sm ${className}`}>{children}</div>;
}
