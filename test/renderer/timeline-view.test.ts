import { describe, expect, it } from 'vitest';
import {
  fullWindow,
  logHeight,
  MIN_SPAN_US,
  panBy,
  timeToX,
  xToTime,
  zoomAt,
} from '../../renderer/src/lib/timeline-view';

describe('timeline window', () => {
  const w = { t0: 0, t1: 1000 };

  it('zooms around the pointer, keeping its time in place', () => {
    const z = zoomAt(w, 250, 0.5);
    expect(z).toEqual({ t0: 125, t1: 625 });
    expect(timeToX(z, 250, 100)).toBeCloseTo(timeToX(w, 250, 100));
  });

  it('stops zooming in at the narrowest span', () => {
    const z = zoomAt(w, 500, 0.000001);
    expect(z.t1 - z.t0).toBe(MIN_SPAN_US);
  });

  it('pans and maps back and forth between time and pixels', () => {
    expect(panBy(w, 100)).toEqual({ t0: 100, t1: 1100 });
    expect(xToTime(w, timeToX(w, 730, 300), 300)).toBeCloseTo(730);
  });

  it('shows the whole capture with a margin, at least a second wide', () => {
    const f = fullWindow(10_000_000, 10_000_500);
    expect(f.t0).toBeLessThan(10_000_000);
    expect(f.t1 - f.t0).toBeGreaterThanOrEqual(1_000_000);
  });

  it('puts sizes on a log scale that tops out at the axis maximum', () => {
    expect(logHeight(0, 1e5)).toBe(0);
    expect(logHeight(1e5, 1e5)).toBe(1);
    expect(logHeight(100, 1e4)).toBeGreaterThan(logHeight(10, 1e4));
  });
});
