import type { ReactNode } from "react";
import { Card } from "./card";

/** A Card with a heading, for the parts of a detail page. */
export function SectionCard({ title, aside, children, testId }: { title: string; aside?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Card>
      <section className="space-y-4" data-testid={testId} aria-label={title}>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-lg font-semibold tracking-tight">{title}</h2>
          {aside}
        </div>
        {children}
      </section>
    </Card>
  );
}
