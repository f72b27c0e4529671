import { z } from "zod";
import { keysetCursorSchema, pageLimitSchema } from "@/lib/http";

/** Query of GET /anchors. */
export const listAnchorsQuery = z.object({
  cursor: keysetCursorSchema.optional(),
  limit: pageLimitSchema(20),
});

/** Query of GET /anchors/{root}: paging through the batch's activities (by publication index). */
export const anchorDetailQuery = z.object({
  cursor: keysetCursorSchema.optional(),
});
