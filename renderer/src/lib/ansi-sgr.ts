// SGR ("select graphic rendition", ESC [ ... m): the colour and weight
// sequences programs put in their output. Everything else a terminal would do
// with escape sequences lives in terminal-line.ts.

/** A colour: a palette slot 0-255, or a truecolour "#rrggbb". */
export type AnsiColor = number | string;

export interface TextStyle {
  fg: AnsiColor | null;
  bg: AnsiColor | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

export const PLAIN: TextStyle = Object.freeze({
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
});

/**
 * Splits an SGR parameter string. Colons are sub-parameter separators
 * (ISO 8613-6, "38:2::r:g:b"); they are read like semicolons, minus the empty
 * colour-space slot, which is what terminals that accept both do.
 */
export function parseSgrParams(text: string): number[] {
  if (text === '') return [0];
  const out: number[] = [];
  for (const group of text.split(';')) {
    const parts = group.split(':');
    if (parts.length > 1 && (parts[0] === '38' || parts[0] === '48' || parts[0] === '58')) {
      if (parts[1] === '2' && parts.length >= 6) parts.splice(2, 1);
    }
    for (const p of parts) out.push(p === '' ? 0 : Number.parseInt(p, 10) || 0);
  }
  return out;
}

/** The style after applying one SGR sequence's parameters. */
export function applySgr(style: TextStyle, params: number[]): TextStyle {
  const s: TextStyle = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) Object.assign(s, PLAIN);
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 21 || p === 22) s.bold = s.dim = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p === 27) s.inverse = false;
    else if (p >= 30 && p <= 37) s.fg = p - 30;
    else if (p >= 90 && p <= 97) s.fg = p - 90 + 8;
    else if (p >= 40 && p <= 47) s.bg = p - 40;
    else if (p >= 100 && p <= 107) s.bg = p - 100 + 8;
    else if (p === 39) s.fg = null;
    else if (p === 49) s.bg = null;
    else if (p === 38 || p === 48 || p === 58) {
      const [color, used] = extendedColor(params, i + 1);
      if (p === 38 && color !== undefined) s.fg = color;
      if (p === 48 && color !== undefined) s.bg = color;
      i += used;
    }
  }
  return s;
}

/** Reads "5;n" or "2;r;g;b" after a 38/48; returns the colour and params consumed. */
function extendedColor(params: number[], at: number): [AnsiColor | undefined, number] {
  const mode = params[at];
  if (mode === 5) {
    const n = params[at + 1];
    return [n >= 0 && n <= 255 ? n : undefined, 2];
  }
  if (mode === 2) {
    const rgb = [params[at + 1], params[at + 2], params[at + 3]];
    if (rgb.some((v) => v === undefined)) return [undefined, params.length];
    return ['#' + rgb.map((v) => clampByte(v).toString(16).padStart(2, '0')).join(''), 4];
  }
  return [undefined, params.length];
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, v));
}

/** The CSS colour for a palette slot or truecolour value. */
export function cssColor(color: AnsiColor): string {
  if (typeof color === 'string') return color;
  if (color < 16) return `var(--ansi-${color})`;
  if (color < 232) {
    const c = color - 16;
    const level = (v: number): number => (v === 0 ? 0 : 55 + v * 40);
    const r = level(Math.floor(c / 36));
    const g = level(Math.floor(c / 6) % 6);
    const b = level(c % 6);
    return `rgb(${r}, ${g}, ${b})`;
  }
  const grey = 8 + (color - 232) * 10;
  return `rgb(${grey}, ${grey}, ${grey})`;
}

/** True when two styles render the same. */
export function sameStyle(a: TextStyle, b: TextStyle): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse
  );
}
