// A progress line on stderr for long work (hashing a file): bytes done, of how many, percent and
// rate, redrawn in place at most ten times a second. Only on a terminal: piped or redirected
// stderr gets nothing, so scripts and logs stay clean.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1536` → `1.5 KiB`; whole bytes below 1 KiB. */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** The line for `done` of `total` bytes after `seconds`: `Hashing a.bin  1.0 GiB / 2.0 GiB  50%  412.3 MiB/s`. */
export function progressLine(label, done, total, seconds) {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const rate = seconds > 0 ? `  ${formatBytes(Math.round(done / seconds))}/s` : "";
  return `${label}  ${formatBytes(done)} / ${formatBytes(total)}  ${percent}%${rate}`;
}

/**
 * A progress reporter for `total` bytes: `update(done)` redraws the line (throttled), `finish()`
 * draws it complete and ends it with a newline. Does nothing when `stream` is not a terminal.
 */
export function startProgress(label, total, stream = process.stderr) {
  if (!stream.isTTY) return { update() {}, finish() {} };
  const started = performance.now();
  let drawnAt = -Infinity;
  const draw = (done) => {
    const now = performance.now();
    drawnAt = now;
    // \r back to the line's start, \x1b[K clears what a longer previous line left.
    stream.write(`\r${progressLine(label, done, total, (now - started) / 1000)}\x1b[K`);
  };
  return {
    update(done) {
      if (performance.now() - drawnAt >= 100) draw(done);
    },
    finish() {
      draw(total);
      stream.write("\n");
    },
  };
}
