import { describe, expect, it } from 'vitest';
import type { Result } from '../../preload/contract';
import { searchLines, type RequestFn } from '../../renderer/src/lib/log-search';

/** A request function over lines that match at the given indexes. */
function over(matches: number[], total: number): { request: RequestFn; froms: number[] } {
  const froms: number[] = [];
  const request = (async (_name: string, req: { from: number; backwards?: boolean }) => {
    froms.push(req.from);
    const hits = req.backwards
      ? matches.filter((m) => m <= req.from).reverse()
      : matches.filter((m) => m >= req.from && m < total);
    return { ok: true, value: { index: hits[0] ?? null } } as Result<unknown>;
  }) as unknown as RequestFn;
  return { request, froms };
}

const q = { id: 'c', query: 'x', caseSensitive: false, total: 100 };

describe('searchLines', () => {
  it('finds the next match from the given line', async () => {
    const { request } = over([10, 50], 100);
    expect(await searchLines(request, { ...q, from: 11, backwards: false })).toEqual({
      index: 50,
      wrapped: false,
    });
  });

  it('wraps to the start, or to the end going backwards', async () => {
    const fwd = over([10], 100);
    expect(await searchLines(fwd.request, { ...q, from: 11, backwards: false })).toEqual({
      index: 10,
      wrapped: true,
    });
    expect(fwd.froms).toEqual([11, 0]);
    const back = over([90], 100);
    expect(await searchLines(back.request, { ...q, from: 5, backwards: true })).toEqual({
      index: 90,
      wrapped: true,
    });
    expect(back.froms).toEqual([5, 99]);
  });

  it('reports no match after wrapping once, and errors as their message', async () => {
    const none = over([], 100);
    expect(await searchLines(none.request, { ...q, from: 3, backwards: false })).toEqual({
      index: null,
      wrapped: true,
    });
    const failing = (async () => ({
      ok: false,
      error: { code: 'io', message: 'store unreadable' },
    })) as unknown as RequestFn;
    expect(await searchLines(failing, { ...q, from: 0, backwards: false })).toEqual({
      error: 'store unreadable',
    });
  });
});
