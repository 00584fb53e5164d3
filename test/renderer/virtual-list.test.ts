import { describe, expect, it } from 'vitest';
import {
  atBottom,
  contentHeight,
  MAX_SCROLL_PX,
  scrollTopFor,
  visibleWindow,
} from '../../renderer/src/lib/virtual-list';

describe('virtual list', () => {
  const g = { total: 1000, rowHeight: 20, viewportHeight: 200 };

  it('maps pixels to rows exactly while the list fits the browser limit', () => {
    expect(visibleWindow(g, 0)).toEqual({ first: 0, end: 11, offset: -0 });
    expect(visibleWindow(g, 410)).toEqual({ first: 20, end: 31, offset: -10 });
    expect(visibleWindow(g, 410, 5)).toMatchObject({ first: 15, end: 36 });
  });

  it('never runs past the last row', () => {
    const w = visibleWindow(g, 1e9);
    expect(w.end).toBe(1000);
    expect(w.first).toBe(990);
    expect(atBottom(g, contentHeight(g) - 200)).toBe(true);
    expect(atBottom(g, 100)).toBe(false);
  });

  it('scales positions for lists taller than the browser allows', () => {
    const huge = { total: 50_000_000, rowHeight: 18, viewportHeight: 540 };
    expect(contentHeight(huge)).toBe(MAX_SCROLL_PX);
    const mid = visibleWindow(huge, (MAX_SCROLL_PX - 540) / 2);
    expect(mid.first).toBeGreaterThan(24_999_000);
    expect(mid.first).toBeLessThan(25_000_000);
    const bottom = visibleWindow(huge, MAX_SCROLL_PX);
    expect(bottom.end).toBe(50_000_000);
  });

  it('finds the scroll position that shows a row, and back', () => {
    const top = scrollTopFor(g, 250);
    expect(visibleWindow(g, top).first).toBe(250);
    expect(scrollTopFor({ ...g, total: 5 }, 3)).toBe(0);
  });
});
