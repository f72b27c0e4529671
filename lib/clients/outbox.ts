import type { AppContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { actorUrl } from "@/lib/urls";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** ActivityStreams object types and the asset types they stand for (the rest: unknown). */
const ASSET_TYPE_OF_OBJECT: Record<string, string> = { Image: "image", Video: "video", Audio: "audio" };

/** `{algorithm: "sha3-256", value}` as our claims carry it, or a bare 64-hex string. */
function contentHashOf(value: unknown): unknown {
  if (typeof value === "string") return value;
  if (!isObject(value)) return value;
  const algorithm = value.algorithm;
  if (typeof algorithm !== "string" || algorithm.toLowerCase() !== "sha3-256") {
    throw new AppError("invalid_request", "object.contentHash.algorithm must be sha3-256.", {
      fields: { content_hash: "contentHash.algorithm must be sha3-256" },
    });
  }
  return value.value;
}

/** AS2 `tag`: strings as they are, `{type: "Hashtag", name: "#x"}` as `x`; anything else is left for validation to refuse. */
function tagsOf(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.map((tag) => {
    if (isObject(tag) && tag.type === "Hashtag" && typeof tag.name === "string") return tag.name.replace(/^#/, "");
    return tag;
  });
}

/** AS2 `url`: a string, or a Link (`{href}`), or a list of them (the first). */
function urlOf(value: unknown): unknown {
  const first = Array.isArray(value) ? value[0] : value;
  if (isObject(first) && typeof first.href === "string") return first.href;
  return first;
}

/**
 * The fields of POST /assets carried by a `Create` posted to the user's outbox (C2S, product.md §6):
 * object.name → name, object.contentHash → content_hash, `assetType`/`asset_type` or the AS2
 * object type → asset_type, `tag` → tags, `url`, `metadata`, `ipfsCid`. The caller validates them
 * with registerAssetInput, so the messages are those of POST /assets.
 * @throws AppError unsupported_activity (not a Create of an object with contentHash), invalid_request
 */
export function assetFieldsFromCreate(ctx: AppContext, username: string, activity: unknown): Json {
  if (!isObject(activity)) throw new AppError("invalid_request", "The body must be an ActivityStreams activity (a JSON object).");
  const type = activity.type;
  if (type !== "Create") {
    const named = typeof type === "string" ? type.slice(0, 64) : "an activity without a type";
    throw new AppError("unsupported_activity", `This outbox accepts only Create activities whose object has a contentHash, not ${named}.`);
  }
  const actor = activity.actor;
  const actorId = isObject(actor) ? actor.id : actor;
  if (actorId !== undefined && actorId !== actorUrl(ctx, username)) {
    throw new AppError("invalid_request", "The activity's actor must be the owner of this outbox (or left out).");
  }
  const object = activity.object;
  if (!isObject(object) || object.contentHash === undefined) {
    throw new AppError("unsupported_activity", "A Create posted here must have an object with a contentHash (sha3-256) to register.");
  }
  const assetType = object.assetType ?? object.asset_type ?? (typeof object.type === "string" ? (ASSET_TYPE_OF_OBJECT[object.type] ?? "unknown") : "unknown");
  const fields: Json = {
    name: object.name,
    content_hash: contentHashOf(object.contentHash),
    asset_type: assetType,
  };
  const tags = tagsOf(object.tag ?? object.tags);
  if (tags !== undefined) fields.tags = tags;
  if (object.url !== undefined) fields.url = urlOf(object.url);
  if (object.metadata !== undefined) fields.metadata = object.metadata;
  const ipfsCid = object.ipfsCid ?? object.ipfs_cid;
  if (ipfsCid !== undefined) fields.ipfs_cid = ipfsCid;
  return fields;
}
