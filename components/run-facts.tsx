import type { ReactNode } from "react";
import { JsonBlock } from "./json-block";
import type { Provenance } from "./provenance";
import { TimeStamp } from "./time-stamp";

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <tr className="border-t border-stone-100 first:border-t-0">
      <th scope="row" className="w-28 py-2 pr-4 text-left sm:w-40 align-top text-xs font-medium uppercase tracking-wide text-stone-500">
        {label}
      </th>
      <td className="break-all py-2 align-top text-sm">{children}</td>
    </tr>
  );
}

const missing = <span className="text-stone-500">not reported</span>;

/** The facts of a recorded L1 run: which run, where, with which effects, when. */
export function RunFacts({ provenance }: { provenance: Provenance }) {
  const recipeIsDocument = provenance.recipe !== null && typeof provenance.recipe === "object";
  return (
    <div className="space-y-3">
      <table className="w-full" data-testid="run-facts">
        <tbody>
          <Fact label="Run id">{provenance.runId ? <code className="font-mono">{provenance.runId}</code> : missing}</Fact>
          <Fact label="L1 server">{provenance.l1Server ?? missing}</Fact>
          <Fact label="Recipe">{provenance.recipeLabel}</Fact>
          <Fact label="Effects commit">{provenance.effectsCommit ? <code className="font-mono">{provenance.effectsCommit}</code> : missing}</Fact>
          <Fact label="Started">{provenance.createdAt ? <TimeStamp iso={provenance.createdAt} /> : missing}</Fact>
          <Fact label="Completed">{provenance.completedAt ? <TimeStamp iso={provenance.completedAt} /> : missing}</Fact>
        </tbody>
      </table>
      {recipeIsDocument ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-stone-600 hover:text-ink">The recipe as the L1 reported it</summary>
          <div className="mt-2">
            <JsonBlock value={provenance.recipe} label="Recipe" />
          </div>
        </details>
      ) : null}
    </div>
  );
}
