import { z } from "zod";
import { keysetCursorSchema } from "@/lib/http/params";

/** Query of GET /anchors. */
export const listAnchorsQuery = z.object({
  cursor: keysetCursorSchema.optional(),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(100, "limit must be at most 100")
    .default(20),
});
export type ListAnchorsQuery = z.output<typeof listAnchorsQuery>;

/** Query of GET /anchors/{root}: paging through the batch's activities (by publication index). */
export const anchorDetailQuery = z.object({
  cursor: keysetCursorSchema.optional(),
});
