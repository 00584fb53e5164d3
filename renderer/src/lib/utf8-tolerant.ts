// A UTF-8 decoder that keeps what TextDecoder throws away: every byte that is
// not part of a valid character comes out as its own marker, so the log can
// show "\xFF" where the process wrote 0xFF instead of a U+FFFD that hides it.

/**
 * Decoded units: a value >= 0 is a code point; a value < 0 is one invalid
 * byte b, stored as -(b + 1) so that byte 0x00 stays distinguishable.
 */
export type Units = number[];

export interface Decoded {
  units: Units;
  /** Bytes at the end that began a character the buffer cut off. */
  pendingBytes: number;
}

/** The invalid byte a negative unit stands for. */
export function invalidByte(unit: number): number {
  return -unit - 1;
}

/**
 * Decodes bytes per the WHATWG "maximal subpart" rule, one marker per bad
 * byte. With `cutEnd`, an incomplete character at the very end is left out
 * and counted in pendingBytes: the line was capped or is still being written,
 * so the rest of the character exists, it just is not here.
 */
export function decodeUtf8(bytes: Uint8Array, cutEnd = false): Decoded {
  const units: Units = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i++;
      continue;
    }
    const need = sequenceLength(b);
    if (need === 0) {
      units.push(-b - 1);
      i++;
      continue;
    }
    let cp = b & (0xff >> (need + 2));
    let j = 1;
    for (; j <= need && i + j < n; j++) {
      const c = bytes[i + j];
      if (!continuationFits(b, j, c)) break;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (j > need) {
      units.push(cp);
      i += need + 1;
      continue;
    }
    if (i + j >= n && cutEnd) return { units, pendingBytes: n - i };
    for (let k = 0; k < j; k++) units.push(-bytes[i + k] - 1);
    i += j;
  }
  return { units, pendingBytes: 0 };
}

/** How many continuation bytes a lead byte asks for; 0 when it is no lead. */
function sequenceLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 1;
  if (b >= 0xe0 && b <= 0xef) return 2;
  if (b >= 0xf0 && b <= 0xf4) return 3;
  return 0;
}

/** The second byte's narrower ranges rule out overlongs, surrogates and > U+10FFFF. */
function continuationFits(lead: number, position: number, c: number): boolean {
  if (position === 1) {
    if (lead === 0xe0) return c >= 0xa0 && c <= 0xbf;
    if (lead === 0xed) return c >= 0x80 && c <= 0x9f;
    if (lead === 0xf0) return c >= 0x90 && c <= 0xbf;
    if (lead === 0xf4) return c >= 0x80 && c <= 0x8f;
  }
  return c >= 0x80 && c <= 0xbf;
}

/** Formats a byte as the escaped marker the views show, e.g. "\xFF". */
export function escapeByte(b: number): string {
  return '\\x' + b.toString(16).toUpperCase().padStart(2, '0');
}
