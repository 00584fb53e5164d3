// What tracing costs the target: each traced call stops it twice and hands it over between
// CPUs, about 130 µs a call on two vCPUs (DESIGN §5), whatever the call does.
import type { Slowdown } from '../../../preload/contract';

/** The per-call cost measured on machines like ours, in µs. */
export const DEFAULT_PER_CALL_MICROS = 130;

// Past this share of its time stopped, the process runs at the pace tracing allows, and how
// fast it would run untraced can no longer be told from the calls seen.
const SATURATED = 0.9;

/** The slowdown for a rate of traced calls: the share of time the target spends stopped. */
export function slowdownOf(
  callsPerSecond: number,
  perCallMicros = DEFAULT_PER_CALL_MICROS,
): Slowdown {
  const rate = Math.round(callsPerSecond);
  const stopped = (callsPerSecond * perCallMicros) / 1e6;
  if (rate === 0) {
    return { callsPerSecond: 0, factor: 1, message: 'no write calls: tracing costs nothing now' };
  }
  if (stopped >= SATURATED) {
    return {
      callsPerSecond: rate,
      factor: null,
      message:
        `${rate} write calls/s keep the process stopped nearly all the time: it runs only as ` +
        'fast as tracing lets it, easily 100 times slower for small writes',
    };
  }
  const factor = 1 / (1 - stopped);
  return {
    callsPerSecond: rate,
    factor,
    message:
      `${rate} write calls/s at ~${perCallMicros} µs each: stopped ${percent(stopped)} ` +
      `of the time, about ${factor.toFixed(factor < 10 ? 2 : 0)}× slower`,
  };
}

function percent(share: number): string {
  return share < 0.01 ? 'under 1%' : `${Math.round(share * 100)}%`;
}
