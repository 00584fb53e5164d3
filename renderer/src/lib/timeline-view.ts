// The timeline's visible time window and the zoom and pan that move it. The
// window follows the capture live until the user zooms or pans; reset goes
// back to following.

export interface TimeWindow {
  t0: number;
  t1: number;
}

/** The narrowest window, in µs: a tenth of a millisecond across the canvas. */
export const MIN_SPAN_US = 100;

/** The window that shows the whole capture, with a little room at each end. */
export function fullWindow(firstT: number, lastT: number, nowUs?: number): TimeWindow {
  if (!firstT) {
    const now = nowUs ?? Date.now() * 1000;
    return { t0: now - 10_000_000, t1: now };
  }
  const end = Math.max(lastT, nowUs ?? lastT);
  const span = Math.max(end - firstT, 1_000_000);
  const pad = span * 0.02;
  return { t0: firstT - pad, t1: firstT + span + pad };
}

/** Zooms by `factor` (< 1 zooms in) keeping time `at` where it is on screen. */
export function zoomAt(w: TimeWindow, at: number, factor: number): TimeWindow {
  const span = Math.max((w.t1 - w.t0) * factor, MIN_SPAN_US);
  const ratio = w.t1 > w.t0 ? (at - w.t0) / (w.t1 - w.t0) : 0.5;
  const t0 = at - ratio * span;
  return { t0, t1: t0 + span };
}

/** Moves the window by `dt` µs (positive: later). */
export function panBy(w: TimeWindow, dt: number): TimeWindow {
  return { t0: w.t0 + dt, t1: w.t1 + dt };
}

/** Maps a time to an x pixel, and back. */
export function timeToX(w: TimeWindow, t: number, width: number): number {
  return ((t - w.t0) / (w.t1 - w.t0)) * width;
}

export function xToTime(w: TimeWindow, x: number, width: number): number {
  return w.t0 + (x / width) * (w.t1 - w.t0);
}

/** Maps a byte count to a height fraction 0..1 on a log scale up to `max`. */
export function logHeight(bytes: number, max: number): number {
  if (bytes <= 0) return 0;
  const top = Math.log10(Math.max(max, 10));
  return Math.min(1, (Math.log10(bytes) + 0.15) / (top + 0.15));
}
