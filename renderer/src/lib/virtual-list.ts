// Which rows of a very long list are on screen. Browsers cap an element's
// height (about 33 million px in Chromium), so past MAX_SCROLL_PX the
// scrollbar is scaled: its position maps to a fraction of the rows rather
// than to pixels, and the visible rows are drawn in a fixed layer.

/** Scroll height beyond which positions are scaled rather than exact. */
export const MAX_SCROLL_PX = 8_000_000;

export interface Geometry {
  total: number;
  rowHeight: number;
  viewportHeight: number;
}

export interface Window {
  /** First row (partly) visible. */
  first: number;
  /** One past the last row to render. */
  end: number;
  /** Pixel offset of row `first` from the top of the viewport (<= 0). */
  offset: number;
}

/** Height of the scrolling content for `total` rows. */
export function contentHeight(g: Geometry): number {
  return Math.min(g.total * g.rowHeight, MAX_SCROLL_PX);
}

function maxScroll(g: Geometry): number {
  return Math.max(0, contentHeight(g) - g.viewportHeight);
}

function maxFirst(g: Geometry): number {
  return Math.max(0, g.total - g.viewportHeight / g.rowHeight);
}

/** The rows to render for a scroll position, `overscan` rows beyond each edge. */
export function visibleWindow(g: Geometry, scrollTop: number, overscan = 0): Window {
  const range = maxScroll(g);
  const top = Math.min(Math.max(scrollTop, 0), range);
  const firstFloat = range > 0 ? (top / range) * maxFirst(g) : 0;
  const first = Math.floor(firstFloat);
  const rows = Math.ceil(g.viewportHeight / g.rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  return {
    first: start,
    end: Math.min(g.total, first + rows + overscan),
    offset: -(firstFloat - start) * g.rowHeight,
  };
}

/** The scroll position that puts row `index` at the top (or as near as it goes). */
export function scrollTopFor(g: Geometry, index: number): number {
  const most = maxFirst(g);
  if (most <= 0) return 0;
  return (Math.min(Math.max(index, 0), most) / most) * maxScroll(g);
}

/** True when the scroll position shows the last row. */
export function atBottom(g: Geometry, scrollTop: number, slackPx = 4): boolean {
  return scrollTop >= maxScroll(g) - slackPx;
}
