import { describe, expect, it } from 'vitest';
import { decodeUtf8, escapeByte, invalidByte } from '../../renderer/src/lib/utf8-tolerant';

const text = (units: number[]): string =>
  units.map((u) => (u < 0 ? escapeByte(invalidByte(u)) : String.fromCodePoint(u))).join('');

describe('decodeUtf8', () => {
  it('decodes ASCII and multibyte characters whole', () => {
    const bytes = new TextEncoder().encode('a─é😀');
    expect(text(decodeUtf8(bytes).units)).toBe('a─é😀');
  });

  it('marks each invalid byte instead of replacing it with U+FFFD', () => {
    const { units } = decodeUtf8(new Uint8Array([0x41, 0xff, 0x42, 0xc0, 0x80]));
    expect(text(units)).toBe('A\\xFFB\\xC0\\x80');
    expect(units).not.toContain(0xfffd);
  });

  it('marks the bytes of a sequence that a wrong byte interrupts, then reads on', () => {
    expect(text(decodeUtf8(new Uint8Array([0xe2, 0x94, 0x41])).units)).toBe('\\xE2\\x94A');
  });

  it('refuses overlongs and surrogates', () => {
    expect(text(decodeUtf8(new Uint8Array([0xe0, 0x80, 0x80])).units)).toBe('\\xE0\\x80\\x80');
    expect(text(decodeUtf8(new Uint8Array([0xed, 0xa0, 0x80])).units)).toBe('\\xED\\xA0\\x80');
  });

  it('leaves out a character cut at the end when asked, counting its bytes', () => {
    const bytes = new TextEncoder().encode('ab─').subarray(0, 4);
    expect(decodeUtf8(bytes, true)).toEqual({ units: [0x61, 0x62], pendingBytes: 2 });
    expect(text(decodeUtf8(bytes).units)).toBe('ab\\xE2\\x94');
  });

  it('keeps a zero byte distinct as a code point', () => {
    expect(decodeUtf8(new Uint8Array([0])).units).toEqual([0]);
  });
});
