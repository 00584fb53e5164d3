import { describe, expect, it } from 'vitest';
import { markHits, renderLogLine } from '../../renderer/src/lib/log-line';
import { PLAIN } from '../../renderer/src/lib/ansi-sgr';

const enc = new TextEncoder();

describe('renderLogLine', () => {
  it('says how many bytes were not fetched, a cut character included', () => {
    const full = enc.encode('ab─cd\n');
    const line = {
      index: 3,
      fd: 1,
      t: 5,
      length: full.length,
      bytes: full.slice(0, 3),
      complete: true,
    };
    const r = renderLogLine(line);
    expect(r.text).toBe('ab');
    expect(r.moreBytes).toBe(full.length - 2);
  });

  it('does not mark the tail of a line still being written as invalid', () => {
    const bytes = enc.encode('x─').subarray(0, 2);
    const r = renderLogLine({ index: 0, fd: 2, t: 1, length: 2, bytes, complete: false });
    expect(r.text).toBe('x');
    expect(r.moreBytes).toBe(1);
  });
});

describe('markHits', () => {
  const spans = [
    { text: 'hello wo', style: PLAIN },
    { text: 'rld hello', style: { ...PLAIN, bold: true } },
  ];

  it('cuts out every hit, across span edges, case-insensitively by default', () => {
    const out = markHits(spans, 'WORLD');
    expect(out.map((s) => [s.text, !!s.hit])).toEqual([
      ['hello ', false],
      ['wo', true],
      ['rld', true],
      [' hello', false],
    ]);
  });

  it('respects case when asked', () => {
    expect(markHits(spans, 'WORLD', true)).toBe(spans);
    expect(markHits(spans, 'hello', true).filter((s) => s.hit).length).toBe(2);
  });
});
