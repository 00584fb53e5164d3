// The raw log's window onto the store: the rows on screen and a margin
// around them, fetched with capture:lines, one request at a time. Nothing
// else is held, however many lines the capture has.

import type { LinesResult, Result } from '../../../preload/contract';
import { LatestRequest } from '../lib/latest-request';
import { renderLogLine, type RenderedLine } from '../lib/log-line';
import { app } from './app.svelte';

/** Bytes fetched per line; the rest is shown as "… N more bytes". */
export const LINE_CAP_BYTES = 4096;
/** Rows kept beyond the window before they are dropped. */
const KEEP_MARGIN = 300;
/** The most rows asked for at once. */
const MAX_FETCH = 500;
/** Rows asked for at the end when the window's own size is not known yet. */
const TAIL_ROWS = 64;

interface Range {
  from: number;
  count: number;
}

/** Lines of one capture around what the raw log shows. */
export class LogRows {
  total = $state(0);
  /** Bumped whenever rows arrive, so views re-read `get`. */
  version = $state(0);
  // Plain collections on purpose: a whole batch of rows lands at once, and
  // one bump of `version` re-renders once instead of once per row.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly cache = new Map<number, RenderedLine>();
  /** Rows still shown but due for a refetch (an open line that grew). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly stale = new Set<number>();
  private first = 0;
  private end = 0;
  /** The newest line count the capture reported; `total` may trail it while following. */
  private latest = 0;
  private settled = '';
  private readonly runner: LatestRequest<Range, Result<LinesResult>>;

  constructor(private readonly id: string) {
    this.runner = new LatestRequest(
      (r) =>
        app.request('capture:lines', {
          id: this.id,
          from: r.from,
          count: r.count,
          maxBytes: LINE_CAP_BYTES,
        }),
      (result, range) => this.receive(result, range),
    );
  }

  /** The row at `index`, when fetched. */
  get(index: number): RenderedLine | undefined {
    return this.cache.get(index);
  }

  /** Sets the rows on screen (with overscan) and fetches what is missing. */
  setWindow(first: number, end: number): void {
    this.first = first;
    this.end = end;
    this.ensure();
  }

  /**
   * The capture grew: open lines may have more bytes, new lines exist. A window at the last
   * row follows what has been fetched, not what was reported: under a flood the lines grow by
   * thousands during one round trip, and a window moved to the reported end would only ever
   * ask for rows that are already behind it when they come (C18).
   */
  grow(total: number): void {
    this.invalidateOpen(this.total);
    this.latest = Math.max(this.latest, total);
    const following = this.atTail();
    if (!following && total > this.total) this.total = total;
    this.settled = '';
    this.next(following);
  }

  /** Drops everything, e.g. after the link came back. */
  reset(): void {
    this.cache.clear();
    this.stale.clear();
    this.settled = '';
    this.version++;
    this.ensure();
  }

  private invalidateOpen(oldTotal: number): void {
    for (const [i, line] of this.cache) {
      if (!line.complete || i >= oldTotal - 1) this.stale.add(i);
    }
  }

  private fresh(index: number): boolean {
    return this.cache.has(index) && !this.stale.has(index);
  }

  private atTail(): boolean {
    return this.end >= this.total;
  }

  private next(following: boolean): void {
    if (following && this.latest > this.total) this.fetchTail();
    else this.ensure();
  }

  /** Asks for the newest rows, as many as the window shows. */
  private fetchTail(): void {
    const span = Math.max(this.end - this.first, TAIL_ROWS);
    const from = Math.max(0, this.latest - span);
    const range = { from, count: Math.min(this.latest - from, MAX_FETCH) };
    const key = `tail:${range.from}:${range.count}`;
    if (key === this.settled) return;
    this.settled = key;
    this.runner.request(range);
  }

  private ensure(): void {
    const end = Math.min(this.end, this.total);
    let from = this.first;
    while (from < end && this.fresh(from)) from++;
    let last = end;
    while (last > from && this.fresh(last - 1)) last--;
    if (from >= last) return;
    const range = { from, count: Math.min(last - from, MAX_FETCH) };
    const key = `${range.from}:${range.count}:${this.total}`;
    if (key === this.settled) return;
    this.settled = key;
    this.runner.request(range);
  }

  private receive(result: Result<LinesResult>, range: Range): void {
    if (!result.ok) return;
    for (const line of result.value.lines) {
      this.cache.set(line.index, renderLogLine(line));
      this.stale.delete(line.index);
    }
    this.latest = Math.max(this.latest, result.value.total);
    const following = this.atTail();
    const reached = range.from + result.value.lines.length;
    if (following && reached > this.total) {
      // The view scrolls to the new last row; move the window with it so these rows stay.
      const shift = reached - this.total;
      this.first += shift;
      this.end += shift;
      this.total = reached;
    }
    for (const i of this.cache.keys()) {
      if (i >= this.first - KEEP_MARGIN && i < this.end + KEEP_MARGIN) continue;
      this.cache.delete(i);
      this.stale.delete(i);
    }
    if (!following && result.value.total > this.total) this.total = result.value.total;
    this.version++;
    // A short answer for this exact range means the rows do not exist yet;
    // asking again before the capture grows would only spin.
    this.settled = `${range.from}:${range.count}:${this.total}`;
    this.next(following);
  }
}
