import { describe, expect, it } from 'vitest';
import { renderTerminalLine } from '../../renderer/src/lib/terminal-line';
import { decodeUtf8 } from '../../renderer/src/lib/utf8-tolerant';

const render = (s: string | Uint8Array) =>
  renderTerminalLine(decodeUtf8(typeof s === 'string' ? new TextEncoder().encode(s) : s).units);
const plain = (s: string | Uint8Array): string =>
  render(s)
    .map((x) => x.text)
    .join('');

describe('renderTerminalLine', () => {
  it('shows a progress bar redrawn with \\r in its final state', () => {
    const line = '\r 10% █\r 50% █████\r100% ██████████\n';
    expect(plain(line)).toBe('100% ██████████');
  });

  it('overwrites from column 0, keeping what the shorter text does not cover', () => {
    expect(plain('abcdef\rXY')).toBe('XYcdef');
  });

  it('keeps \\r\\n endings intact', () => {
    expect(plain('hello\r\n')).toBe('hello');
  });

  it('honours erase-in-line after a carriage return', () => {
    expect(plain('long text\r\x1b[Kshort')).toBe('short');
  });

  it('splits text into spans by SGR style', () => {
    const spans = render('\x1b[1;31mERROR\x1b[0m ok');
    expect(spans.map((s) => s.text)).toEqual(['ERROR', ' ok']);
    expect(spans[0].style).toMatchObject({ fg: 1, bold: true });
    expect(spans[1].style.fg).toBeNull();
  });

  it('drops other escape sequences: cursor keys, OSC titles, charset picks', () => {
    expect(plain('a\x1b[?25lb\x1b]0;title\x07c\x1b(Bd')).toBe('abcd');
  });

  it('shows invalid bytes and control bytes escaped', () => {
    const spans = render(new Uint8Array([0x61, 0xff, 0x07, 0x62]));
    expect(spans.map((s) => [s.text, s.marker])).toEqual([
      ['a', undefined],
      ['\\xFF', 'invalid'],
      ['\\x07', 'control'],
      ['b', undefined],
    ]);
  });

  it('shows an ESC that starts no sequence, and the control byte after it', () => {
    expect(plain(new Uint8Array([0x61, 0x1b, 0x1c, 0x62, 0x1b]))).toBe('a\\e\\x1Cb\\e');
  });

  it('tells a C1 control character from the lone byte of the same value', () => {
    expect(plain(new Uint8Array([0xc2, 0x85, 0x85]))).toBe('\\u0085\\x85');
  });

  it('expands tabs to the next multiple of eight', () => {
    expect(plain('ab\tc')).toBe('ab      c');
  });

  it('keeps combining marks on their base character', () => {
    expect(plain('e\u0301x\rE')).toBe('Ex');
  });
});
