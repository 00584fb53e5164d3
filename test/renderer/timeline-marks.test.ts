import { describe, expect, it } from 'vitest';
import type { CaptureNotice } from '../../preload/contract';
import { markAt, marksInView } from '../../renderer/src/lib/timeline-marks';

const notice = (t: number, message: string): CaptureNotice => ({ t, level: 'warning', message });
const notices = [notice(100, 'a'), notice(500, 'fd 1 now points to b'), notice(520, 'c')];
const window = { t0: 0, t1: 1000 };

describe('timeline marks', () => {
  it('keeps the notices whose time is in view', () => {
    expect(marksInView(notices, { t0: 200, t1: 510 }).map((n) => n.message)).toEqual([
      'fd 1 now points to b',
    ]);
  });

  it('finds the mark nearest the pointer within a few pixels, else none', () => {
    // 1000 px for 1000 µs: a mark sits at its time in px.
    expect(markAt(notices, window, 1000, 503)?.message).toBe('fd 1 now points to b');
    expect(markAt(notices, window, 1000, 517)?.message).toBe('c');
    expect(markAt(notices, window, 1000, 300)).toBeNull();
  });
});
