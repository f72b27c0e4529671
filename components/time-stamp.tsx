import { formatTime } from "./format";

/** A point in time shown in UTC, with the exact ISO value on hover. */
export function TimeStamp({ iso, className = "" }: { iso: string; className?: string }) {
  return (
    <time dateTime={iso} title={iso} className={`whitespace-nowrap tabular-nums ${className}`}>
      {formatTime(iso)}
    </time>
  );
}
