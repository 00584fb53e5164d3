// Renders one log line the way a terminal would leave it on screen: a cursor
// that \r sends back to column 0 so later text overwrites earlier text (which
// is how progress bars draw themselves), SGR colours, and erase-in-line. Any
// other escape sequence is dropped; other control bytes and invalid UTF-8 are
// shown escaped so nothing the process wrote is hidden or faked.

import { applySgr, parseSgrParams, PLAIN, sameStyle, type TextStyle } from './ansi-sgr';
import { escapeByte, invalidByte, type Units } from './utf8-tolerant';

/** A run of text in one style; `marker` runs show bytes that are not text. */
export interface Span {
  text: string;
  style: TextStyle;
  marker?: 'invalid' | 'control';
}

interface Cell {
  text: string;
  style: TextStyle;
  marker?: 'invalid' | 'control';
}

const ESC = 0x1b;
const TAB_WIDTH = 8;

/** Lays out decoded units on one terminal row and returns its spans. */
export function renderTerminalLine(units: Units): Span[] {
  const row: Cell[] = [];
  let col = 0;
  let style = PLAIN;
  const put = (cell: Cell): void => {
    while (row.length < col) row.push({ text: ' ', style: PLAIN });
    row[col++] = cell;
  };

  for (let i = 0; i < units.length; i++) {
    const u = units[i];
    if (u < 0) {
      put({ text: escapeByte(invalidByte(u)), style, marker: 'invalid' });
    } else if (u === ESC) {
      const seq = readEscape(units, i);
      i = seq.end;
      if (seq.lone) put({ text: escapeControl(u), style, marker: 'control' });
      else if (seq.final === 'm') style = applySgr(style, parseSgrParams(seq.params));
      else if (seq.final === 'K') eraseInLine(row, col, seq.params);
      else if (seq.final === 'G') col = Math.max(0, (Number.parseInt(seq.params) || 1) - 1);
      else if (seq.final === 'C') col += Number.parseInt(seq.params) || 1;
      else if (seq.final === 'D') col = Math.max(0, col - (Number.parseInt(seq.params) || 1));
    } else if (u === 0x0d) {
      col = 0;
    } else if (u === 0x08) {
      col = Math.max(0, col - 1);
    } else if (u === 0x09) {
      const next = (Math.floor(col / TAB_WIDTH) + 1) * TAB_WIDTH;
      while (col < next) put({ text: ' ', style });
    } else if (u === 0x0a && i === units.length - 1) {
      break;
    } else if (u < 0x20 || u === 0x7f || (u >= 0x80 && u < 0xa0)) {
      put({ text: escapeControl(u), style, marker: 'control' });
    } else if (isCombining(u) && col > 0 && row[col - 1]) {
      row[col - 1] = { ...row[col - 1], text: row[col - 1].text + String.fromCodePoint(u) };
    } else {
      put({ text: String.fromCodePoint(u), style });
    }
  }
  return toSpans(row);
}

interface Escape {
  /** Index of the sequence's last unit. */
  end: number;
  /** The CSI final byte, or '' for sequences that are not CSI. */
  final: string;
  params: string;
  /** The ESC begins no sequence: show it. */
  lone?: boolean;
}

/** Reads the escape sequence starting at `start` (an ESC). */
function readEscape(units: Units, start: number): Escape {
  const next = units[start + 1];
  if (next === 0x5b) {
    let params = '';
    for (let i = start + 2; i < units.length; i++) {
      const u = units[i];
      if (u >= 0x40 && u <= 0x7e) return { end: i, final: String.fromCharCode(u), params };
      if (u < 0x20 || u > 0x3f) return { end: i - 1, final: '', params };
      params += String.fromCharCode(u);
    }
    return { end: units.length - 1, final: '', params };
  }
  if (next === 0x5d || next === 0x50 || next === 0x5f) {
    // OSC, DCS and APC run to BEL or to the string terminator ESC \.
    for (let i = start + 2; i < units.length; i++) {
      if (units[i] === 0x07) return { end: i, final: '', params: '' };
      if (units[i] === ESC && units[i + 1] === 0x5c) return { end: i + 1, final: '', params: '' };
    }
    return { end: units.length - 1, final: '', params: '' };
  }
  // An ESC that starts no sequence (last byte, before a control byte or invalid byte) is shown.
  if (next === undefined || next < 0x20) return { end: start, final: '', params: '', lone: true };
  // Two-unit sequences (ESC 7, ESC =, ...) and charset picks (ESC ( B).
  if (next >= 0x20 && next <= 0x2f && units[start + 2] !== undefined) {
    return { end: start + 2, final: '', params: '' };
  }
  return { end: start + 1, final: '', params: '' };
}

function eraseInLine(row: Cell[], col: number, params: string): void {
  const mode = Number.parseInt(params) || 0;
  if (mode === 0) row.length = Math.min(row.length, col);
  else if (mode === 1) for (let c = 0; c <= col && c < row.length; c++) row[c] = blank();
  else if (mode === 2) row.length = 0;
}

function blank(): Cell {
  return { text: ' ', style: PLAIN };
}

function escapeControl(u: number): string {
  if (u === 0x1b) return '\\e';
  // C1 controls (U+0080-U+009F) are two bytes in UTF-8: "\x85" would read as the lone byte.
  if (u < 0x80) return escapeByte(u);
  return '\\u' + u.toString(16).toUpperCase().padStart(4, '0');
}

/** Marks that draw on the previous character rather than taking a column. */
function isCombining(u: number): boolean {
  return (
    (u >= 0x300 && u <= 0x36f) ||
    (u >= 0x1ab0 && u <= 0x1aff) ||
    (u >= 0x20d0 && u <= 0x20ff) ||
    (u >= 0xfe00 && u <= 0xfe0f) ||
    u === 0x200d
  );
}

function toSpans(row: Cell[]): Span[] {
  const spans: Span[] = [];
  for (const cell of row) {
    if (!cell) continue;
    const last = spans[spans.length - 1];
    if (last && last.marker === cell.marker && sameStyle(last.style, cell.style)) {
      last.text += cell.text;
    } else {
      spans.push({ text: cell.text, style: cell.style, marker: cell.marker });
    }
  }
  return spans;
}
