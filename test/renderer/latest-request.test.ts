import { describe, expect, it } from 'vitest';
import { LatestRequest } from '../../renderer/src/lib/latest-request';
import { frameCoalescer } from '../../renderer/src/lib/frame-coalescer';

describe('LatestRequest', () => {
  it('keeps one request in flight and sends only the newest waiting one', async () => {
    const sent: number[] = [];
    const applied: [number, boolean][] = [];
    const resolvers: (() => void)[] = [];
    const runner = new LatestRequest<number, number>(
      (k) => {
        sent.push(k);
        return new Promise((ok) => resolvers.push(() => ok(k)));
      },
      (v, _k, stale) => applied.push([v, stale]),
    );

    runner.request(1);
    runner.request(2);
    runner.request(3);
    resolvers[0]();
    await new Promise((r) => setTimeout(r, 0));
    resolvers[1]();
    await new Promise((r) => setTimeout(r, 0));

    expect(sent).toEqual([1, 3]);
    expect(applied).toEqual([
      [1, true],
      [3, false],
    ]);
  });
});

describe('frameCoalescer', () => {
  it('delivers only the newest value per key once per frame', () => {
    const frames: (() => void)[] = [];
    const batches: { id: string; n: number }[][] = [];
    const push = frameCoalescer<{ id: string; n: number }>(
      (v) => v.id,
      (b) => batches.push(b),
      (run) => frames.push(run),
    );

    for (let n = 0; n < 100; n++) push({ id: n % 2 ? 'a' : 'b', n });
    frames.forEach((f) => f());

    expect(frames.length).toBe(1);
    expect(batches).toEqual([
      [
        { id: 'b', n: 98 },
        { id: 'a', n: 99 },
      ],
    ]);
  });
});
