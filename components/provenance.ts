// An asset's provenance (a recorded L1 run, product.md §3) read defensively: it came from an L1,
// so every field is checked before it is shown.

export interface ProvenanceInput {
  content_hash: string;
  name: string;
}

export interface Provenance {
  runId: string | null;
  l1Server: string | null;
  /** The recipe as the L1 sent it (a name, or a document). */
  recipe: unknown;
  /** A short, one-line name for the recipe. */
  recipeLabel: string;
  inputs: ProvenanceInput[];
  effectsCommit: string | null;
  createdAt: string | null;
  completedAt: string | null;
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

function labelOf(recipe: unknown): string {
  if (typeof recipe === "string" && recipe) return recipe;
  if (recipe && typeof recipe === "object" && !Array.isArray(recipe)) {
    const name = (recipe as Record<string, unknown>).name;
    if (typeof name === "string" && name) return name;
  }
  if (recipe === null || recipe === undefined) return "unknown recipe";
  const json = JSON.stringify(recipe) ?? String(recipe);
  return json.length > 60 ? `${json.slice(0, 59)}…` : json;
}

export function readProvenance(raw: Record<string, unknown>): Provenance {
  const inputs = Array.isArray(raw.inputs) ? raw.inputs : [];
  return {
    runId: text(raw.run_id),
    l1Server: text(raw.l1_server),
    recipe: raw.recipe ?? null,
    recipeLabel: labelOf(raw.recipe),
    inputs: inputs.flatMap((i): ProvenanceInput[] => {
      if (!i || typeof i !== "object") return [];
      const { content_hash, name } = i as Record<string, unknown>;
      const hash = text(content_hash);
      if (!hash) return [];
      return [{ content_hash: hash, name: text(name) ?? hash }];
    }),
    effectsCommit: text(raw.effects_commit),
    createdAt: text(raw.created_at),
    completedAt: text(raw.completed_at),
  };
}
