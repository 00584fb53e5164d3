// CSS for a styled span of log text. Colours are applied as properties, not
// style attributes, so the strict CSP (no inline styles) still allows them.

import { cssColor, type TextStyle } from './ansi-sgr';

export interface SpanCss {
  color: string | null;
  background: string | null;
  /** Class names for weight, slant, underline, dimness. */
  classes: string;
}

/** The colours and classes that draw a style; inverse swaps the colours. */
export function spanCss(style: TextStyle): SpanCss {
  let fg = style.fg === null ? null : cssColor(style.fg);
  let bg = style.bg === null ? null : cssColor(style.bg);
  if (style.inverse) {
    [fg, bg] = [bg ?? 'var(--bg)', fg ?? 'var(--text)'];
  }
  const classes = [
    style.bold ? 'b' : '',
    style.dim ? 'd' : '',
    style.italic ? 'i' : '',
    style.underline ? 'u' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { color: fg, background: bg, classes };
}
