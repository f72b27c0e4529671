// GET /activities/{ref}/ots — the activity's OpenTimestamps proof (a detached `.ots` file), composed
// from its path to the batch root and the anchor's current timestamp; 404 not_anchored before that.
import { getActivityOts, OTS_MEDIA_TYPE } from "@/lib/anchors";
import { decodePathParam, handleRoute, methodNotAllowed } from "@/lib/http";
import { getActivityOrThrow } from "@/lib/registry";
import { getContext } from "@/lib/runtime";

export const GET = handleRoute<{ ref: string }>(async (_req, { params }) => {
  const ctx = await getContext();
  const activity = await getActivityOrThrow(ctx, decodePathParam((await params).ref, "ref"));
  const bytes = await getActivityOts(ctx, activity.activityId);
  return new Response(Uint8Array.from(bytes), {
    headers: {
      "content-type": OTS_MEDIA_TYPE,
      "content-disposition": `attachment; filename="${activity.activityId}.ots"`,
      // An upgrade changes the proof, so it is never cached for long.
      "cache-control": "no-cache",
    },
  });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodNotAllowed("GET");
