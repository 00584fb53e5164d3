// Finds the next (or previous) line holding a string, reading lines in batches.
import type { CaptureReader } from './capture-reader';

const BATCH = 1024;
/** Bytes of one line that search looks at; longer lines are searched in their first part. */
const SEARCH_LINE_BYTES = 1024 * 1024;

export interface SearchOptions {
  query: string;
  from: number;
  backwards?: boolean;
  caseSensitive?: boolean;
}

/** Index of the first matching line at or after `from` (at or before, backwards), or null. */
export function searchLines(reader: CaptureReader, options: SearchOptions): number | null {
  const fold = !options.caseSensitive;
  const query = Buffer.from(options.query, 'utf8');
  const needle = fold ? asciiLower(query) : query;
  if (needle.length === 0) return null;
  const total = reader.lineCount();
  const matches = (bytes: Uint8Array) => {
    const hay = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (fold ? asciiLower(hay) : hay).indexOf(needle) !== -1;
  };
  if (!options.backwards) {
    for (let at = Math.max(0, options.from); at < total; at += BATCH) {
      const hit = reader.lines(at, BATCH, SEARCH_LINE_BYTES).find((l) => matches(l.bytes));
      if (hit) return hit.index;
    }
    return null;
  }
  for (let end = Math.min(options.from, total - 1) + 1; end > 0; end -= BATCH) {
    const start = Math.max(0, end - BATCH);
    const lines = reader.lines(start, end - start, SEARCH_LINE_BYTES).reverse();
    const hit = lines.find((l) => matches(l.bytes));
    if (hit) return hit.index;
  }
  return null;
}

/** A lower-cased copy for ASCII letters; other bytes (UTF-8 included) are kept. */
function asciiLower(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    if (c >= 65 && c <= 90) out[i] = c + 32;
  }
  return out;
}
