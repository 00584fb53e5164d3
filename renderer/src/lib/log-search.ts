// Finding the next or previous line that matches, through capture:search,
// wrapping around the ends the way an editor's find does.

import type { FdscopeBridge } from '../../../preload/contract';

export type RequestFn = FdscopeBridge['request'];

export interface SearchQuery {
  id: string;
  query: string;
  caseSensitive: boolean;
  /** The first line to look at. */
  from: number;
  backwards: boolean;
  /** Lines in the capture, to know where a backwards wrap starts. */
  total: number;
}

export type SearchOutcome =
  { index: number; wrapped: boolean } | { index: null; wrapped: boolean } | { error: string };

/** Searches from `from`; when nothing is found there, once more from the other end. */
export async function searchLines(request: RequestFn, q: SearchQuery): Promise<SearchOutcome> {
  const find = async (from: number): Promise<number | null | { error: string }> => {
    const r = await request('capture:search', {
      id: q.id,
      query: q.query,
      from,
      backwards: q.backwards,
      caseSensitive: q.caseSensitive,
    });
    return r.ok ? r.value.index : { error: r.error.message };
  };

  const first = await find(Math.max(0, q.from));
  if (first !== null) return typeof first === 'number' ? { index: first, wrapped: false } : first;
  const again = await find(q.backwards ? Math.max(0, q.total - 1) : 0);
  return typeof again === 'object' && again !== null ? again : { index: again, wrapped: true };
}

/** The time of one line, fetched alone (one byte of it) when it is not on screen. */
export async function lineTime(
  request: RequestFn,
  id: string,
  index: number,
): Promise<number | null> {
  const r = await request('capture:lines', { id, from: index, count: 1, maxBytes: 1 });
  return r.ok ? (r.value.lines[0]?.t ?? null) : null;
}
