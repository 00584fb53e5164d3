// The timeline's view of a capture: every write in a range when they are few,
// else the range cut into equal slices of time with counts and sizes per fd.
import type { TimelineBuckets, TimelineResult } from '../../../preload/contract';
import type { CaptureReader } from './capture-reader';

/** Above this many writes in range, the answer is buckets, not writes. */
export const MAX_TIMELINE_WRITES = 4000;
/** Records read from writes.idx at a time while bucketing. */
const CHUNK = 16384;

/** Writes or buckets between t0 and t1 (µs), for the given fds. */
export function timelineQuery(
  reader: CaptureReader,
  fds: readonly number[],
  t0: number,
  t1: number,
  buckets: number,
): TimelineResult {
  const from = reader.writeIndexAt(t0);
  const to = Math.max(from, reader.writeIndexAt(nextUp(t1)));
  const total = to - from;
  if (total <= MAX_TIMELINE_WRITES) {
    const writes = reader
      .writes(from, total)
      .map((w) => ({ t: w.t, fd: w.fd, pid: w.pid, length: w.full }));
    return { t0, t1, writes, buckets: null, total };
  }
  const byFd = new Map<number, TimelineBuckets>();
  for (const fd of fds) {
    const zeros = () => new Array<number>(buckets).fill(0);
    byFd.set(fd, { fd, counts: zeros(), bytes: zeros(), maxLength: zeros() });
  }
  const span = Math.max(t1 - t0, 1);
  for (let at = from; at < to; at += CHUNK) {
    for (const w of reader.writes(at, Math.min(CHUNK, to - at))) {
      const b = byFd.get(w.fd);
      if (!b) continue;
      const i = Math.min(buckets - 1, Math.max(0, Math.floor(((w.t - t0) / span) * buckets)));
      b.counts[i] += 1;
      b.bytes[i] += w.full;
      if (w.full > b.maxLength[i]) b.maxLength[i] = w.full;
    }
  }
  return { t0, t1, writes: null, buckets: [...byFd.values()], total };
}

/** The smallest double above t, so a write at exactly t1 is in range. */
function nextUp(t: number): number {
  return t + Math.max(Math.abs(t) * Number.EPSILON, Number.MIN_VALUE);
}
