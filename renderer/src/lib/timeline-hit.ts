// What lies under the pointer on the TIMELINE: the nearest write, or the
// bucket, in the lane under it.

import type { TimelineResult, TimelineWrite } from '../../../preload/contract';
import type { Lane } from './timeline-draw';
import { timeToX, xToTime, type TimeWindow } from './timeline-view';

export type Hit =
  | { kind: 'write'; write: TimelineWrite }
  | {
      kind: 'bucket';
      fd: number;
      t0: number;
      t1: number;
      count: number;
      bytes: number;
      maxLength: number;
    };

/** Pixels within which a write counts as under the pointer. */
const REACH_PX = 5;

/** The hit at plot coordinates (px, y): px measured from the plot's left edge. */
export function hitTest(
  data: TimelineResult | null,
  w: TimeWindow,
  laneList: Lane[],
  px: number,
  y: number,
  plotW: number,
): Hit | null {
  const lane = laneList.find((l) => y >= l.y - 2 && y <= l.y + l.height + 2);
  if (!data || !lane) return null;
  if (data.writes) {
    let best: TimelineWrite | null = null;
    let bestD = REACH_PX + 1;
    for (const write of data.writes) {
      if (write.fd !== lane.fd) continue;
      const d = Math.abs(timeToX(w, write.t, plotW) - px);
      if (d < bestD) {
        best = write;
        bestD = d;
      }
    }
    return best ? { kind: 'write', write: best } : null;
  }
  const b = data.buckets?.find((x) => x.fd === lane.fd);
  if (!b || b.counts.length === 0) return null;
  const t = xToTime(w, px, plotW);
  const span = (data.t1 - data.t0) / b.counts.length;
  const i = Math.floor((t - data.t0) / span);
  if (i < 0 || i >= b.counts.length || b.counts[i] === 0) return null;
  return {
    kind: 'bucket',
    fd: lane.fd,
    t0: data.t0 + i * span,
    t1: data.t0 + (i + 1) * span,
    count: b.counts[i],
    bytes: b.bytes[i],
    maxLength: b.maxLength[i],
  };
}
