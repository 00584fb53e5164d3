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

describe('renderLogLine on data as processes write it', () => {
  const line = (bytes: Uint8Array, complete = true, length = bytes.length) => ({
    index: 0,
    fd: 1,
    t: 1,
    length,
    bytes,
    complete,
  });

  it('shows no U+FFFD for a line of 3-byte characters cut at any byte (C04)', () => {
    const full = enc.encode('─'.repeat(40) + '\n');
    for (let cut = 0; cut < full.length; cut++) {
      const whole = Math.floor(cut / 3);
      const capped = renderLogLine(line(full.slice(0, cut), true, full.length));
      const open = renderLogLine(line(full.slice(0, cut), false));

      expect(capped.text).toBe('─'.repeat(whole));
      expect(open.text).toBe(capped.text);
      expect(capped.moreBytes).toBe(full.length - whole * 3);
    }
  });

  it('shows a lone 0xFF between characters escaped, as an invalid byte', () => {
    const bytes = new Uint8Array([...enc.encode('──'), 0xff, ...enc.encode('─\n')]);

    const r = renderLogLine(line(bytes));

    expect(r.text).toBe('──\\xFF─');
    expect(r.spans.map((s) => s.marker)).toEqual([undefined, 'invalid', undefined]);
  });

  it('shows NUL and other control bytes as visible escapes', () => {
    const r = renderLogLine(line(new Uint8Array([0x61, 0x00, 0x01, 0x7f, 0x62, 0x0a])));

    expect(r.text).toBe('a\\x00\\x01\\x7Fb');
    expect(r.spans.map((s) => s.marker)).toEqual([undefined, 'control', undefined]);
  });

  it('shows a progress line still being drawn in its latest state (C03)', () => {
    const bytes = enc.encode('\r  5% █\r 10% ██\r 15% ███');

    expect(renderLogLine(line(bytes, false)).text).toBe(' 15% ███');
  });

  it('drops the \\r of a CRLF ending and nothing else', () => {
    expect(renderLogLine(line(enc.encode('crlf\r\n'))).text).toBe('crlf');
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
