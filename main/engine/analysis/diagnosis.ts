// The buffering diagnosis: what the timeline's writes say about how the
// process buffers a stream, and what to do about it.
import type { BufferingVerdict, CaptureStream, Diagnosis } from '../../../preload/contract';
import type { Runtime } from './runtimes';
import type { WriteFact } from './write-stats';

/** What the diagnosis of one stream needs. */
export interface DiagnosisInput {
  stream: CaptureStream;
  writes: WriteFact[];
  runtime: Runtime;
  /** µs: how long the capture has run, for "no writes in 40 s". */
  watchedFor: number;
}

/** Diagnoses one stream from its recent writes. */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const { stream, writes, runtime } = input;
  const where = describeTarget(stream);
  const who = `${runtime.name} writing to ${where}`;
  const base = { fd: stream.fd, runtime: runtime.name };
  const buffersHere = runtime.blockBuffers && stream.target.kind !== 'tty' && stream.fd === 1;

  if (writes.length === 0) {
    const quiet = `no writes in ${seconds(input.watchedFor)}`;
    const buffer = `${runtime.name}'s buffer`;
    if (!buffersHere) return { ...base, verdict: 'idle', headline: quiet, details: [], fixes: [] };
    return {
      ...base,
      verdict: 'idle',
      headline: `${quiet}; if it has printed anything, it may be waiting in ${buffer}`,
      details: [`${who}: its stdout is block-buffered unless told otherwise`],
      fixes: runtime.fixes,
    };
  }

  const facts = summarize(writes);
  const verdict = classify(facts, writes.length);
  const details = [
    `${writes.length} writes, median ${facts.medianSize} bytes, ` +
      `${facts.linesPerWrite.toFixed(1)} lines per write`,
  ];
  if (facts.splitLines > 0) details.push(`${facts.splitLines} writes end in the middle of a line`);
  if (facts.medianGap !== null)
    details.push(`median time between writes ${seconds(facts.medianGap)}`);

  if (verdict === 'block-buffered') {
    const size = facts.blockSize
      ? `${facts.blockSize}-byte writes`
      : `writes of ${facts.medianSize} bytes`;
    const every = facts.medianGap !== null ? ` every ~${seconds(facts.medianGap)}` : '';
    const wait = facts.maxGap !== null ? `; lines wait up to ${seconds(facts.maxGap)}` : '';
    const cure = runtime.fixes[0] ? `: ${runtime.fixes[0]}` : '';
    return {
      ...base,
      verdict,
      headline: `block-buffered: ${size}${every}${wait}; this is ${who}${cure}`,
      details,
      fixes: runtime.fixes,
    };
  }
  const headlines: Record<Exclude<BufferingVerdict, 'block-buffered' | 'idle'>, string> = {
    'line-buffered': 'line-buffered: one write per line, output arrives as it is printed',
    unbuffered: 'unbuffered: small writes, often parts of lines, as the program produces them',
    unknown: 'no clear buffering pattern',
  };
  return { ...base, verdict, headline: headlines[verdict], details, fixes: [] };
}

interface Facts {
  medianSize: number;
  blockSize: number | null;
  linesPerWrite: number;
  splitLines: number;
  medianGap: number | null;
  maxGap: number | null;
}

function summarize(writes: WriteFact[]): Facts {
  const sizes = writes.map((w) => w.length).sort((a, b) => a - b);
  const gaps = writes
    .slice(1)
    .map((w, i) => w.t - writes[i].t)
    .sort((a, b) => a - b);
  const newlines = writes.reduce((n, w) => n + w.newlines, 0);
  return {
    medianSize: sizes[sizes.length >> 1],
    blockSize: commonBlockSize(writes),
    linesPerWrite: newlines / writes.length,
    splitLines: writes.filter((w) => w.length > 0 && !w.endsWithNewline).length,
    medianGap: gaps.length ? gaps[gaps.length >> 1] : null,
    maxGap: gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.95))] : null,
  };
}

/**
 * The fixed size most writes have, when it looks like a buffer being flushed (≥ 512 bytes).
 * Not only powers of two: CPython flushes the whole lines that filled its 8 KiB text
 * buffer, so a writer of 100-byte lines makes 8100-byte writes.
 */
function commonBlockSize(writes: WriteFact[]): number | null {
  // The last write is often the flush at exit: a remainder, not a full buffer.
  const body = writes.length > 1 ? writes.slice(0, -1) : writes;
  const counts = new Map<number, number>();
  for (const w of body) counts.set(w.length, (counts.get(w.length) ?? 0) + 1);
  let best: [number, number] = [0, 0];
  for (const entry of counts) if (entry[1] > best[1]) best = entry;
  const [size, count] = best;
  if (size < 512 || count < Math.max(2, body.length * 0.5)) return null;
  return size;
}

function classify(facts: Facts, count: number): Exclude<BufferingVerdict, 'idle'> {
  if (facts.blockSize !== null && facts.linesPerWrite > 1.5) return 'block-buffered';
  // A single write holding many lines: everything came out at once, at a flush or exit.
  if (count <= 3 && facts.linesPerWrite >= 10) return 'block-buffered';
  if (facts.linesPerWrite >= 0.8 && facts.linesPerWrite <= 1.5 && facts.splitLines <= count * 0.1) {
    return 'line-buffered';
  }
  if (facts.medianSize < 512 && facts.splitLines >= count * 0.3) return 'unbuffered';
  if (facts.linesPerWrite > 4 && facts.medianSize >= 1024) return 'block-buffered';
  return 'unknown';
}

function describeTarget(stream: CaptureStream): string {
  const kinds: Record<string, string> = {
    pipe: 'a pipe',
    file: 'a file',
    deleted: 'a deleted file',
    tty: 'a terminal',
    null: '/dev/null',
    socket: 'a socket',
  };
  return kinds[stream.target.kind] ?? stream.target.link;
}

/** "2.5 s", "40 ms", "3 min". */
export function seconds(us: number): string {
  const s = us / 1e6;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 100) return `${Number(s.toPrecision(2))} s`;
  return `${Math.round(s / 60)} min`;
}
