// From stored bytes to what one raw-log row shows: decode tolerantly, lay out
// like a terminal, and say how much of the line was not fetched.

import type { LogLine } from '../../../preload/contract';
import { renderTerminalLine, type Span } from './terminal-line';
import { decodeUtf8 } from './utf8-tolerant';

export interface RenderedLine {
  index: number;
  fd: number;
  t: number;
  spans: Span[];
  /** Bytes of the line beyond those fetched (the cap), 0 when whole. */
  moreBytes: number;
  complete: boolean;
  /** The row's plain text, for search highlighting and copying. */
  text: string;
}

/** Renders one stored line for display. */
export function renderLogLine(line: LogLine): RenderedLine {
  const moreBytes = Math.max(0, line.length - line.bytes.length);
  const decoded = decodeUtf8(line.bytes, moreBytes > 0 || !line.complete);
  const spans = renderTerminalLine(decoded.units);
  return {
    index: line.index,
    fd: line.fd,
    t: line.t,
    spans,
    moreBytes: moreBytes + decoded.pendingBytes,
    complete: line.complete,
    text: spans.map((s) => s.text).join(''),
  };
}

/** A span with search hits cut out and flagged. */
export interface MarkedSpan extends Span {
  hit?: boolean;
}

/**
 * Splits spans so that every occurrence of `query` is its own span with
 * `hit` set. Matching runs over the rendered text, so a hit may cross spans.
 */
export function markHits(spans: Span[], query: string, caseSensitive = false): MarkedSpan[] {
  if (query === '') return spans;
  const text = spans.map((s) => s.text).join('');
  const hay = caseSensitive ? text : text.toLowerCase();
  const needle = caseSensitive ? query : query.toLowerCase();
  const ranges: [number, number][] = [];
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) {
    ranges.push([at, at + needle.length]);
  }
  if (ranges.length === 0) return spans;

  const out: MarkedSpan[] = [];
  let pos = 0;
  let r = 0;
  for (const span of spans) {
    const end = pos + span.text.length;
    let cut = pos;
    while (cut < end) {
      while (r < ranges.length && ranges[r][1] <= cut) r++;
      const range = ranges[r];
      const inHit = range !== undefined && range[0] <= cut;
      const stop = range === undefined ? end : Math.min(end, inHit ? range[1] : range[0]);
      out.push({ ...span, text: span.text.slice(cut - pos, stop - pos), hit: inHit || undefined });
      cut = stop;
    }
    pos = end;
  }
  return out;
}
