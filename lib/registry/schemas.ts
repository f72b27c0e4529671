import { z } from "zod";
import { keysetCursorSchema, pageLimitSchema, storableInput } from "@/lib/http";

export const ASSET_TYPES = ["image", "video", "audio", "effect", "recipe", "infrastructure", "unknown"] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** Largest metadata object, as UTF-8 JSON (product.md §3). */
const MAX_METADATA_BYTES = 16 * 1024;

const contentHashSchema = z
  .string({ error: "content_hash must be a string" })
  .regex(/^[0-9a-fA-F]{64}$/, "content_hash must be 64 hex characters (the SHA3-256 of the content)")
  .transform((s) => s.toLowerCase());

const assetNameSchema = z
  .string({ error: "name must be a string" })
  .min(1, "name is required")
  .max(128, "name must be at most 128 characters")
  .regex(/^[A-Za-z0-9._:-]+$/, "name may contain only letters, digits and . _ : -");

const assetTypeSchema = z.enum(ASSET_TYPES, {
  error: `asset_type must be one of ${ASSET_TYPES.join(", ")}`,
});

const tagSchema = z.string({ error: "each tag must be a string" }).min(1, "a tag must not be empty").max(64, "a tag must be at most 64 characters");

const metadataSchema = z
  .record(z.string(), z.json(), { error: "metadata must be a JSON object" })
  .refine((m) => Buffer.byteLength(JSON.stringify(m), "utf8") <= MAX_METADATA_BYTES, {
    error: `metadata must be at most ${MAX_METADATA_BYTES / 1024} KiB as JSON`,
  });

const httpUrlSchema = z
  .string({ error: "url must be a string" })
  .max(2048, "url must be at most 2048 characters")
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === "http:" || u.protocol === "https:";
    } catch {
      return false;
    }
  }, "url must be an http(s) URL");

const ipfsCidSchema = z.string({ error: "ipfs_cid must be a string" }).regex(/^[A-Za-z0-9]{10,128}$/, "ipfs_cid must be a CID (10–128 letters and digits)");

export const registerAssetInput = storableInput(
  z.object({
    name: assetNameSchema,
    content_hash: contentHashSchema,
    asset_type: assetTypeSchema,
    tags: z
      .array(tagSchema, { error: "tags must be an array of strings" })
      .max(32, "at most 32 tags")
      .default([])
      .transform((tags) => [...new Set(tags)]),
    metadata: metadataSchema.default({}),
    url: httpUrlSchema.nullish(),
    ipfs_cid: ipfsCidSchema.nullish(),
  }),
);
export type RegisterAssetInput = z.output<typeof registerAssetInput>;

export const recordRunInput = storableInput(
  z.object({
    run_id: z
      .string({ error: "run_id must be a string" })
      .min(1, "run_id is required")
      .max(200, "run_id must be at most 200 characters")
      .regex(/^[^\u0000-\u001f\u007f]+$/, "run_id must not contain control characters"),
    l1_server: z.string({ error: "l1_server must be a string" }).min(1, "l1_server is required").max(2048),
    output_name: assetNameSchema,
    asset_type: assetTypeSchema.optional(),
  }),
);
export type RecordRunInput = z.output<typeof recordRunInput>;

/** Query of GET /assets. */
export const listAssetsQuery = z.object({
  q: z.string().max(200, "q must be at most 200 characters").optional(),
  type: assetTypeSchema.optional(),
  tag: z.string().max(64, "tag must be at most 64 characters").optional(),
  owner: z.string().max(32, "owner must be at most 32 characters").optional(),
  cursor: keysetCursorSchema.optional(),
  limit: pageLimitSchema(20),
});
export type ListAssetsQuery = z.output<typeof listAssetsQuery>;

/** Query of GET /activities. */
export const listActivitiesQuery = z.object({
  cursor: keysetCursorSchema.optional(),
  limit: pageLimitSchema(20),
  actor: z.string().max(32).optional(),
});
