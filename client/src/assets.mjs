// Asset types and the C2S `Create` activity that registers a file as an asset.
import path from "node:path";

export const ASSET_TYPES = ["image", "video", "audio", "effect", "recipe", "infrastructure", "unknown"];

const EXTENSION_TYPES = {
  image: ["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "tif", "tiff", "heic"],
  video: ["mp4", "m4v", "mov", "webm", "mkv", "avi", "mpg", "mpeg"],
  audio: ["mp3", "wav", "ogg", "oga", "flac", "m4a", "aac", "opus"],
};

/** The asset type a file name suggests (by extension), else `unknown`. */
export function guessAssetType(fileName) {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  for (const [type, exts] of Object.entries(EXTENSION_TYPES)) if (exts.includes(ext)) return type;
  return "unknown";
}

/** The ActivityStreams object type for an asset type. */
export function objectTypeFor(assetType) {
  return { image: "Image", video: "Video", audio: "Audio" }[assetType] ?? "Document";
}

/** The C2S `Create` that registers a file through the outbox (product.md §6). */
export function buildCreateActivity({ actor, name, contentHash, assetType, tags, url, metadata }) {
  const object = {
    type: objectTypeFor(assetType),
    name,
    contentHash: { algorithm: "sha3-256", value: contentHash },
    assetType,
    tag: tags,
  };
  if (url !== undefined) object.url = url;
  if (metadata !== undefined) object.metadata = metadata;
  return { "@context": "https://www.w3.org/ns/activitystreams", type: "Create", actor, object };
}
