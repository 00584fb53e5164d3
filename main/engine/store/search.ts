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

// A search over millions of lines would hold the engine (and every capture it is storing) for
// seconds: it gives the event loop back after this much work.
const SLICE_MS = 15;

/**
 * Index of the first matching line at or after `from` (at or before, backwards), or null;
 * scans in slices of a few milliseconds so that captures and other requests go on meanwhile.
 */
export async function searchLines(
  reader: CaptureReader,
  options: SearchOptions,
): Promise<number | null> {
  let sliceStart = performance.now();
  for (const batch of batches(reader, options)) {
    if (batch === 'yield') {
      if (performance.now() - sliceStart < SLICE_MS) continue;
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
      continue;
    }
    return batch;
  }
  return null;
}

/** The search as a generator: a hit, or 'yield' after each batch of lines that held none. */
function* batches(reader: CaptureReader, options: SearchOptions): Generator<number | 'yield'> {
  const fold = !options.caseSensitive;
  const query = Buffer.from(options.query, 'utf8');
  const needle = fold ? asciiLower(query) : query;
  if (needle.length === 0) return;
  const total = reader.lineCount();
  const matches = (bytes: Uint8Array) => {
    const hay = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return (fold ? asciiLower(hay) : hay).indexOf(needle) !== -1;
  };
  if (!options.backwards) {
    for (let at = Math.max(0, options.from); at < total; at += BATCH) {
      const hit = reader.lines(at, BATCH, SEARCH_LINE_BYTES).find((l) => matches(l.bytes));
      if (hit) {
        yield hit.index;
        return;
      }
      yield 'yield';
    }
    return;
  }
  for (let end = Math.min(options.from, total - 1) + 1; end > 0; end -= BATCH) {
    const start = Math.max(0, end - BATCH);
    const lines = reader.lines(start, end - start, SEARCH_LINE_BYTES).reverse();
    const hit = lines.find((l) => matches(l.bytes));
    if (hit) {
      yield hit.index;
      return;
    }
    yield 'yield';
  }
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
