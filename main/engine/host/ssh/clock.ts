// The remote clock's offset from ours, measured at connect: the remote time is taken to have
// been read halfway through the round trip, and the fastest of a few tries is kept.
import type { Host } from '../host';
import { collect } from './collect';

export interface ClockOffset {
  /** Remote clock minus local clock, in milliseconds. */
  offsetMs: number;
  /** The round trip of the try kept: the offset is good to about half of it. */
  roundTripMs: number;
}

const TRIES = 3;

/** Measures the offset with `date +%s.%N` (busybox prints a literal N: seconds only then). */
export async function measureClockOffset(host: Host): Promise<ClockOffset | null> {
  let best: ClockOffset | null = null;
  for (let i = 0; i < TRIES; i++) {
    const before = nowMs();
    const result = await collect(host.spawn(['date', '+%s.%N']));
    const after = nowMs();
    const remote = parseEpoch(result.stdout.trim());
    if (result.code !== 0 || remote === null) return best;
    const roundTripMs = after - before;
    const offsetMs = remote - (before + after) / 2;
    if (best === null || roundTripMs < best.roundTripMs) best = { offsetMs, roundTripMs };
  }
  return best;
}

/** Seconds since the epoch, `S` or `S.NNNNNNNNN`, in milliseconds; null if not a time. */
export function parseEpoch(text: string): number | null {
  const match = /^(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return null;
  const fraction = match[2] ? Number(`0.${match[2]}`) : 0;
  return (Number(match[1]) + fraction) * 1000;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
