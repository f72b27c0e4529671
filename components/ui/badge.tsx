import type { ReactNode } from "react";

const TONES = {
  accent: "bg-accent/10 text-accent",
  green: "bg-emerald-50 text-emerald-700",
  neutral: "bg-stone-100 text-stone-700",
} as const;

/** A small label (an asset type, an activity type). */
export function Badge({ children, tone = "accent" }: { children: ReactNode; tone?: keyof typeof TONES }) {
  return <span className={`inline-block shrink-0 rounded px-1.5 py-0.5 text-xs font-medium ${TONES[tone]}`}>{children}</span>;
}
