import Link from "next/link";
import type { ReactNode } from "react";
import { shortHash } from "./format";
import type { Provenance } from "./provenance";

// Fixed node sizes let the connectors be computed here, without measuring the page.
const NODE_H = 64;
const GAP = 12;
const EDGE_W = 72;
const ARROW = 7;

function Node({ kind, children, tone = "plain" }: { kind: string; children: ReactNode; tone?: "plain" | "recipe" | "output" }) {
  const tones = {
    plain: "border-stone-300 bg-white",
    recipe: "border-amber-300 bg-amber-50",
    output: "border-accent bg-accent/5 ring-1 ring-accent/30",
  } as const;
  return (
    <div className={`flex flex-col justify-center rounded-lg border px-3 shadow-sm ${tones[tone]}`} style={{ height: NODE_H }}>
      <span className="text-[10px] font-semibold uppercase tracking-wider text-stone-500">{kind}</span>
      {children}
    </div>
  );
}

function Edges({ from, to, height, id }: { from: number[]; to: number; height: number; id: string }) {
  return (
    <svg width={EDGE_W} height={height} viewBox={`0 0 ${EDGE_W} ${height}`} aria-hidden className="shrink-0 overflow-visible">
      <defs>
        <marker id={id} viewBox="0 0 10 10" refX="10" refY="5" markerWidth={ARROW} markerHeight={ARROW} orient="auto">
          <path d="M0,0 L10,5 L0,10 z" className="fill-stone-400" />
        </marker>
      </defs>
      {from.map((y, i) => (
        <path
          key={i}
          d={`M0,${y} C${EDGE_W / 2},${y} ${EDGE_W / 2},${to} ${EDGE_W - 1},${to}`}
          fill="none"
          strokeWidth={1.5}
          className="stroke-stone-400"
          markerEnd={`url(#${id})`}
        />
      ))}
    </svg>
  );
}

/**
 * A recorded run drawn left to right: its inputs (each linking to its asset) → the recipe → this
 * asset. Names are text nodes: whatever an L1 sent is shown, never interpreted.
 */
export function ProvenanceGraph({ provenance, output }: { provenance: Provenance; output: { name: string; content_hash: string } }) {
  const rows = Math.max(provenance.inputs.length, 1);
  const height = rows * NODE_H + (rows - 1) * GAP;
  const centres = Array.from({ length: rows }, (_, i) => i * (NODE_H + GAP) + NODE_H / 2);
  const middle = height / 2;
  return (
    <figure className="overflow-x-auto pb-1" data-testid="provenance-graph">
      <figcaption className="sr-only">{`${provenance.inputs.length} input(s) → recipe ${provenance.recipeLabel} → ${output.name}`}</figcaption>
      <div className="flex w-full min-w-[44rem] items-start">
        <div className="flex min-w-0 flex-[5] flex-col" style={{ gap: GAP }}>
          {provenance.inputs.length === 0 ? (
            <Node kind="inputs">
              <span className="text-sm text-stone-500">none recorded</span>
            </Node>
          ) : (
            provenance.inputs.map((input) => (
              <Link
                key={input.content_hash}
                href={`/asset/${encodeURIComponent(input.name)}`}
                prefetch={false}
                className="group block rounded-lg focus:outline-none focus-visible:ring-2 focus-visible:ring-accent"
                data-testid="provenance-input"
                title={`${input.name}\nsha3-256 ${input.content_hash}`}
              >
                <Node kind="input">
                  <span className="truncate text-sm font-medium text-ink group-hover:text-accent group-hover:underline">{input.name}</span>
                  <code className="truncate font-mono text-[11px] text-stone-500">{shortHash(input.content_hash)}</code>
                </Node>
              </Link>
            ))
          )}
        </div>
        <Edges from={centres} to={middle} height={height} id="provenance-arrow-in" />
        <div className="min-w-0 flex-[4]" style={{ paddingTop: middle - NODE_H / 2 }} title={provenance.recipeLabel}>
          <Node kind="recipe" tone="recipe">
            <span className="line-clamp-2 break-all text-sm font-medium text-amber-950" data-testid="provenance-recipe">
              {provenance.recipeLabel}
            </span>
          </Node>
        </div>
        <Edges from={[middle]} to={middle} height={height} id="provenance-arrow-out" />
        <div className="min-w-0 flex-[5]" style={{ paddingTop: middle - NODE_H / 2 }} title={`${output.name}\nsha3-256 ${output.content_hash}`}>
          <Node kind="output (this asset)" tone="output">
            <span className="truncate text-sm font-semibold text-ink">{output.name}</span>
            <code className="truncate font-mono text-[11px] text-stone-500">{shortHash(output.content_hash)}</code>
          </Node>
        </div>
      </div>
    </figure>
  );
}
