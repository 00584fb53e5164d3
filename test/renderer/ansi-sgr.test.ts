import { describe, expect, it } from 'vitest';
import { applySgr, cssColor, parseSgrParams, PLAIN } from '../../renderer/src/lib/ansi-sgr';

describe('SGR', () => {
  it('applies 16-colour foreground, bright colours and bold, and resets', () => {
    const s = applySgr(PLAIN, parseSgrParams('1;31'));
    expect(s).toMatchObject({ fg: 1, bold: true });
    expect(applySgr(s, parseSgrParams('92')).fg).toBe(10);
    expect(applySgr(s, parseSgrParams(''))).toEqual(PLAIN);
    expect(applySgr(s, [0])).toEqual(PLAIN);
  });

  it('reads 256-colour and truecolour, with semicolons or colons', () => {
    expect(applySgr(PLAIN, parseSgrParams('38;5;208')).fg).toBe(208);
    expect(applySgr(PLAIN, parseSgrParams('48;2;1;2;255')).bg).toBe('#0102ff');
    expect(applySgr(PLAIN, parseSgrParams('38:2::255:0:16')).fg).toBe('#ff0010');
  });

  it('turns attributes off one at a time', () => {
    const on = applySgr(PLAIN, [1, 3, 4, 7]);
    expect(applySgr(on, [22, 23, 24, 27])).toEqual(PLAIN);
    expect(applySgr(applySgr(PLAIN, [31, 42]), [39, 49])).toEqual(PLAIN);
  });

  it('maps palette slots to CSS', () => {
    expect(cssColor(3)).toBe('var(--ansi-3)');
    expect(cssColor(208)).toBe('rgb(255, 135, 0)');
    expect(cssColor(232)).toBe('rgb(8, 8, 8)');
    expect(cssColor('#abcdef')).toBe('#abcdef');
  });
});
