import { describe, expect, it } from 'vitest';
import { relativeLabel, tickStep, timeTicks } from '../../renderer/src/lib/time-axis';
import { formatClock } from '../../renderer/src/lib/format';

describe('time axis', () => {
  it('picks round steps for the span', () => {
    expect(tickStep(10_000_000, 10)).toBe(1_000_000);
    expect(tickStep(10_000_000, 8)).toBe(2_000_000);
    expect(tickStep(1_000, 10)).toBe(100);
    expect(tickStep(3_600_000_000, 6)).toBe(600_000_000);
  });

  it('aligns ticks to whole steps from the capture start', () => {
    const origin = 1_000_000_370_000;
    const ticks = timeTicks(origin + 100_000, origin + 3_000_000, origin, 6);
    expect(ticks.map((t) => relativeLabel(t, origin, 500_000))).toEqual([
      '+0.5 s',
      '+1.0 s',
      '+1.5 s',
      '+2.0 s',
      '+2.5 s',
      '+3.0 s',
    ]);
  });

  it('labels minutes past the first one', () => {
    expect(relativeLabel(150_000_000, 0, 30_000_000)).toBe('+2 min 30 s');
  });

  it('formats wall-clock time with sub-second digits', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5).getTime() * 1000 + 678_901;
    expect(formatClock(t)).toBe('03:04:05.678');
    expect(formatClock(t, 6)).toBe('03:04:05.678901');
  });
});
