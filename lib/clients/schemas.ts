import { z } from "zod";
import { keysetCursorSchema, pageLimitSchema, parseJsonOrForm, storableInput } from "@/lib/http";
import { describeDidKeyDefect } from "@/lib/http-signatures";
import { parseDidKey } from "@/lib/crypto";

/** Longest label of a client key (the column is VARCHAR(100)). */
const MAX_LABEL_CHARS = 100;

/**
 * Why a did:key cannot be a client key, in words (product.md §6: only Ed25519 `did:key:z6Mk…`),
 * or null when it can.
 */
export function clientDidKeyDefect(value: string): string | null {
  if (!value.startsWith("did:key:")) return "did_key is not a did:key (it must start with did:key:z6Mk…)";
  if (!value.startsWith("did:key:z")) return "did_key is not base58btc multibase: after 'did:key:' it must start with 'z'";
  const parsed = parseDidKey(value);
  return parsed.ok ? null : `did_key ${describeDidKeyDefect(parsed.reason)}`;
}

/** A did:key as sent: trimmed, and refused with a message naming the defect. */
const clientDidKeySchema = z
  .string({ error: "did_key is required (did:key:z6Mk…)" })
  .trim()
  .min(1, "did_key is required (did:key:z6Mk…)")
  .superRefine((value, zctx) => {
    const defect = clientDidKeyDefect(value);
    if (defect) zctx.addIssue({ code: "custom", message: defect });
  });

/** Body of POST /auth/client-keys (JSON or form). */
export const addClientKeyInput = storableInput(
  z.object({
    did_key: clientDidKeySchema,
    label: z
      .string({ error: "label must be a string" })
      .trim()
      .max(MAX_LABEL_CHARS, `label must be at most ${MAX_LABEL_CHARS} characters`)
      .nullish()
      .transform((s) => (s ? s : null)),
  }),
);
export type AddClientKeyInput = z.output<typeof addClientKeyInput>;

/** Query of GET /auth/client-keys. */
export const listClientKeysQuery = z.object({
  cursor: keysetCursorSchema.optional(),
  limit: pageLimitSchema(100),
});
export type ListClientKeysQuery = z.output<typeof listClientKeysQuery>;

/**
 * The body of POST /auth/client-keys from its raw bytes (read once, as Moo-Auth-1 needs them):
 * an HTML form or JSON. @throws AppError malformed_json; ZodError for invalid fields
 */
export function parseAddClientKeyBody(bytes: Uint8Array, contentType: string | null): AddClientKeyInput {
  return addClientKeyInput.parse(parseJsonOrForm(bytes, contentType));
}
