"use client";

// Register a work in the browser: the artist drops (or picks) a file, which is hashed here with
// SHA3-256 a chunk at a time (lib/hashing; the file never leaves the computer), with a progress
// bar; name and type are proposed from the file; tags, metadata and a URL are optional; then
// POST /assets with the session cookie, and the server signs the claim.
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState, type DragEvent, type FormEvent } from "react";
import { HashCancelledError, sha3OfBlob } from "@/lib/hashing";
import { ApiError, registerAsset, type RegisteredAsset } from "./api";
import { formatBytes } from "./format";
import { Button } from "./ui/button";
import { Field } from "./ui/field";
import { SelectField } from "./ui/select-field";

/** The asset type a file suggests: its MIME type's family, else its extension (as the CLI guesses). */
function guessAssetType(file: { name: string; type: string }, types: readonly string[]): string {
  const family = file.type.split("/")[0];
  if (["image", "video", "audio"].includes(family) && types.includes(family)) return family;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  if (["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "tif", "tiff", "heic"].includes(ext)) return "image";
  if (["mp4", "m4v", "mov", "webm", "mkv", "avi", "mpg", "mpeg"].includes(ext)) return "video";
  if (["mp3", "wav", "ogg", "oga", "flac", "m4a", "aac", "opus"].includes(ext)) return "audio";
  return "unknown";
}

/** A name the registry accepts (1–128 of A–Z a–z 0–9 . _ : -), proposed from the file name without its extension. */
function proposedName(fileName: string): string {
  const stem = fileName.replace(/\.[^.]+$/, "") || fileName;
  return stem
    .replace(/[^A-Za-z0-9._:-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 128);
}

/** The fields of POST /assets this form shows, whose refusals are shown next to them. */
const FORM_FIELDS = ["name", "tags", "url", "metadata"];

interface Hashing {
  file: File;
  done: number;
  /** Bytes per second so far (measured when progress is reported, not while rendering). */
  rate: number;
  /** Set once the whole file is hashed. */
  hash: string | null;
  error: string | null;
}

export function RegisterWork({ assetTypes }: { assetTypes: readonly string[] }) {
  const [hashing, setHashing] = useState<Hashing | null>(null);
  const [name, setName] = useState("");
  const [type, setType] = useState("unknown");
  const [tags, setTags] = useState("");
  const [url, setUrl] = useState("");
  const [metadata, setMetadata] = useState("");
  const [metadataError, setMetadataError] = useState<string | undefined>();
  const [dragging, setDragging] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const register = useMutation<RegisteredAsset, Error, Parameters<typeof registerAsset>[0]>({ mutationFn: registerAsset });

  useEffect(() => () => abort.current?.abort(), []);

  function choose(file: File | undefined) {
    if (!file) return;
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    register.reset();
    setName(proposedName(file.name));
    setType(guessAssetType(file, assetTypes));
    const startedAt = performance.now();
    setHashing({ file, done: 0, rate: 0, hash: null, error: null });
    sha3OfBlob(file, {
      signal: controller.signal,
      onProgress: ({ done }) => {
        const seconds = (performance.now() - startedAt) / 1000;
        const rate = seconds > 0.5 ? done / seconds : 0;
        setHashing((h) => (h && h.file === file ? { ...h, done, rate } : h));
      },
    }).then(
      (hash) => setHashing((h) => (h && h.file === file ? { ...h, done: file.size, hash } : h)),
      (err: unknown) => {
        if (err instanceof HashCancelledError) return;
        const message = err instanceof Error ? err.message : String(err);
        setHashing((h) => (h && h.file === file ? { ...h, error: `This file could not be read: ${message}` } : h));
      },
    );
  }

  function onDrop(event: DragEvent<HTMLLabelElement>) {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!hashing?.hash) return;
    let meta: Record<string, unknown> | undefined;
    if (metadata.trim()) {
      try {
        const parsed: unknown = JSON.parse(metadata);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        meta = parsed as Record<string, unknown>;
      } catch {
        setMetadataError('Metadata must be a JSON object, e.g. {"medium": "oil"}.');
        return;
      }
    }
    setMetadataError(undefined);
    const tagList = [
      ...new Set(
        tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ];
    register.mutate({
      name: name.trim(),
      content_hash: hashing.hash,
      asset_type: type,
      tags: tagList,
      ...(meta ? { metadata: meta } : {}),
      ...(url.trim() ? { url: url.trim() } : {}),
    });
  }

  if (register.isSuccess) {
    const asset = register.data.asset;
    return (
      <div role="status" className="space-y-3" data-testid="register-work-done">
        <p className="text-lg font-medium text-emerald-800">Registered {asset.name}.</p>
        <p className="text-sm text-stone-700">
          The claim is signed and published. Its SHA3-256 is <code className="break-all font-mono">{asset.content_hash}</code>.
        </p>
        <div className="flex flex-wrap gap-3">
          <Link href={`/asset/${encodeURIComponent(asset.name)}`} className="text-accent underline">
            See {asset.name}
          </Link>
          <button
            type="button"
            className="text-accent underline"
            onClick={() => {
              register.reset();
              setHashing(null);
              setName("");
              setTags("");
              setUrl("");
              setMetadata("");
            }}
          >
            Register another work
          </button>
        </div>
      </div>
    );
  }

  const fields = register.error instanceof ApiError ? register.error.fields : {};
  // A refusal about a field shown here goes next to it; any other (the hash already claimed, say) above the button.
  const formError = register.error && !FORM_FIELDS.some((f) => fields[f]) ? register.error.message : null;
  const percent = hashing && hashing.file.size > 0 ? Math.floor((hashing.done / hashing.file.size) * 100) : 100;

  return (
    <form onSubmit={submit} className="space-y-5" noValidate aria-label="Register a work">
      <label
        htmlFor="work-file"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`flex cursor-pointer flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed px-6 py-10 text-center transition ${dragging ? "border-accent bg-violet-50" : "border-stone-300 bg-white hover:border-accent"}`}
        data-testid="work-drop"
      >
        <span className="font-medium text-stone-800">{hashing ? hashing.file.name : "Drop a file here, or choose one"}</span>
        <span className="text-sm text-stone-600">
          {hashing ? formatBytes(hashing.file.size) : "Any size: it is hashed on this computer and never uploaded."}
        </span>
        <input
          id="work-file"
          type="file"
          aria-label="File to register"
          className="text-sm file:mr-3 file:rounded-md file:border-0 file:bg-accent file:px-3 file:py-1.5 file:text-white"
          onChange={(e) => choose(e.target.files?.[0])}
        />
      </label>

      {hashing ? (
        <div className="space-y-1" data-testid="hash-progress">
          <progress
            className="h-2 w-full accent-accent"
            max={Math.max(hashing.file.size, 1)}
            value={hashing.hash ? Math.max(hashing.file.size, 1) : hashing.done}
            aria-label="Hashing progress"
          />
          <p className="text-sm text-stone-700" aria-live="polite">
            {hashing.error ? (
              <span className="text-red-700" role="alert">
                {hashing.error}
              </span>
            ) : hashing.hash ? (
              <>
                SHA3-256:{" "}
                <code className="break-all font-mono" data-testid="work-hash">
                  {hashing.hash}
                </code>
              </>
            ) : (
              `Hashing: ${formatBytes(hashing.done)} of ${formatBytes(hashing.file.size)} (${percent}%)${hashing.rate > 0 ? `, ${formatBytes(Math.round(hashing.rate))}/s` : ""}`
            )}
          </p>
        </div>
      ) : null}

      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id="work-name"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={128}
          required
          hint="1–128 characters: letters, digits, . _ : -. Unique in this registry."
          error={fields.name}
          autoComplete="off"
        />
        <SelectField
          id="work-type"
          label="Type"
          value={type}
          onChange={(e) => setType(e.target.value)}
          options={assetTypes.map((t) => ({ value: t, label: t }))}
        />
      </div>
      <Field
        id="work-tags"
        label="Tags (optional)"
        value={tags}
        onChange={(e) => setTags(e.target.value)}
        placeholder="sky, evening"
        hint="Separated by commas."
        error={fields.tags}
      />
      <Field
        id="work-url"
        label="URL (optional)"
        type="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        placeholder="https://example.com/sunset.png"
        hint="Where the work can be seen."
        error={fields.url}
      />
      <div className="space-y-1">
        <label htmlFor="work-metadata" className="block text-sm font-medium text-stone-700">
          Metadata (optional)
        </label>
        <textarea
          id="work-metadata"
          value={metadata}
          onChange={(e) => setMetadata(e.target.value)}
          rows={3}
          placeholder='{"medium": "oil", "year": 2026}'
          aria-invalid={metadataError || fields.metadata ? true : undefined}
          aria-describedby="work-metadata-note"
          className={`block w-full rounded-md border bg-white px-3 py-2 font-mono text-sm shadow-sm outline-none focus:ring-2 focus:ring-accent ${metadataError || fields.metadata ? "border-red-500" : "border-stone-300"}`}
        />
        <p
          id="work-metadata-note"
          className={`text-sm ${metadataError || fields.metadata ? "text-red-600" : "text-xs text-stone-500"}`}
          role={metadataError || fields.metadata ? "alert" : undefined}
        >
          {metadataError ?? fields.metadata ?? "A JSON object stored with the work (at most 16 KiB)."}
        </p>
      </div>

      {formError ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      <Button type="submit" disabled={!hashing?.hash || !name.trim()} busy={register.isPending}>
        {register.isPending ? "Registering…" : hashing && !hashing.hash && !hashing.error ? "Hashing…" : "Register this work"}
      </Button>
    </form>
  );
}
