// A capture's notices (truncation, hole, fd moved, switch to tracing) as marks on the
// TIMELINE: where each falls, and which one the pointer is on.

import type { CaptureNotice } from '../../../preload/contract';
import { timeToX, type TimeWindow } from './timeline-view';

/** The colour of a notice's mark, by its level. */
export const MARK_COLORS: Record<CaptureNotice['level'], string> = {
  info: '#7d8597',
  warning: '#e5b567',
  error: '#ff6b6b',
};

/** The notices whose time falls in the window. */
export function marksInView(notices: readonly CaptureNotice[], w: TimeWindow): CaptureNotice[] {
  return notices.filter((n) => n.t >= w.t0 && n.t <= w.t1);
}

/** The notice whose mark is nearest x (px from the plot's left), within slop px; else null. */
export function markAt(
  notices: readonly CaptureNotice[],
  w: TimeWindow,
  plotW: number,
  x: number,
  slop = 4,
): CaptureNotice | null {
  let best: CaptureNotice | null = null;
  let bestDistance = slop;
  for (const n of marksInView(notices, w)) {
    const distance = Math.abs(timeToX(w, n.t, plotW) - x);
    if (distance <= bestDistance) {
      best = n;
      bestDistance = distance;
    }
  }
  return best;
}
