"use client";

// The work itself, where it can be seen: an asset registered with a web URL is shown with the element
// for its type (image, video, audio), loaded lazily and sized so the page does not jump; without a
// URL, or when the URL does not load, a placeholder drawn from the content hash (the same work
// always gets the same colours) with its type and the hash's start.
import { useEffect, useRef, useState } from "react";

interface Work {
  name: string;
  owner: string;
  asset_type: string;
  content_hash: string;
  url: string | null;
}

function webUrl(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/** Two colours from the hash: a work's placeholder looks the same wherever it is shown. */
function hashColours(hash: string): [string, string] {
  const hue = (offset: number) => parseInt(hash.slice(offset, offset + 4) || "0", 16) % 360;
  return [`hsl(${hue(0)} 70% 55%)`, `hsl(${hue(4)} 70% 45%)`];
}

function Placeholder({ work, compact }: { work: Work; compact: boolean }) {
  const [from, to] = hashColours(work.content_hash);
  return (
    <div
      className="flex h-full w-full flex-col items-center justify-center gap-1 text-center text-white"
      style={{ backgroundImage: `linear-gradient(135deg, ${from}, ${to})` }}
      role="img"
      aria-label={`${work.name}: no preview (${work.asset_type}, SHA3-256 ${work.content_hash.slice(0, 12)}…)`}
      data-testid="work-placeholder"
    >
      <span className={`font-semibold uppercase tracking-wide ${compact ? "text-[10px]" : "text-sm"}`}>{work.asset_type}</span>
      {compact ? null : <code className="font-mono text-xs opacity-90">{work.content_hash.slice(0, 16)}…</code>}
    </div>
  );
}

/**
 * The work at `size`: `full` on its page (its own aspect, at most 70% of the window's height),
 * `thumb` in lists (a square that crops). Audio shows its player in full, a placeholder as a thumb.
 */
export function WorkPreview({ work, size }: { work: Work; size: "full" | "thumb" }) {
  const [failed, setFailed] = useState(false);
  const media = useRef<HTMLImageElement & HTMLVideoElement & HTMLAudioElement>(null);
  // A URL that failed before the page was interactive fired its error before React listened: look.
  useEffect(() => {
    const el = media.current;
    if (!el) return;
    const imageFailed = el instanceof HTMLImageElement && el.complete && el.naturalWidth === 0;
    const mediaFailed = el instanceof HTMLMediaElement && (el.error !== null || el.networkState === HTMLMediaElement.NETWORK_NO_SOURCE);
    if (imageFailed || mediaFailed) setFailed(true);
  }, []);
  const url = webUrl(work.url);
  const alt = `${work.name} by ${work.owner}`;
  const thumb = size === "thumb";
  const frame = thumb ? "h-16 w-16 shrink-0 overflow-hidden rounded-lg bg-stone-100" : "overflow-hidden rounded-lg bg-stone-100";
  const kind = url && !failed ? work.asset_type : null;

  if (kind === "image") {
    return (
      <div className={frame} data-testid="work-preview">
        {/* eslint-disable-next-line @next/next/no-img-element -- any external URL, shown as registered (next/image would proxy it) */}
        <img
          ref={media}
          src={url!}
          alt={alt}
          loading="lazy"
          decoding="async"
          referrerPolicy="no-referrer"
          width={thumb ? 64 : 1200}
          height={thumb ? 64 : 800}
          onError={() => setFailed(true)}
          className={thumb ? "h-16 w-16 object-cover" : "mx-auto h-auto max-h-[70vh] w-auto max-w-full object-contain"}
        />
      </div>
    );
  }
  if (kind === "video") {
    return (
      <div className={frame} data-testid="work-preview">
        <video
          ref={media}
          src={url!}
          controls={!thumb}
          muted={thumb}
          playsInline
          preload="metadata"
          aria-label={alt}
          onError={() => setFailed(true)}
          className={thumb ? "h-16 w-16 object-cover" : "mx-auto max-h-[70vh] w-full"}
        />
      </div>
    );
  }
  if (kind === "audio" && !thumb) {
    return (
      <div data-testid="work-preview">
        <audio ref={media} src={url!} controls preload="none" aria-label={alt} onError={() => setFailed(true)} className="w-full" />
      </div>
    );
  }
  return (
    <div className={thumb ? frame : `${frame} aspect-[3/1] max-h-64`}>
      <Placeholder work={work} compact={thumb} />
    </div>
  );
}
