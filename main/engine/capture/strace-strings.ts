// Byte-level reading of the values strace prints: C-quoted strings, iovec arrays, arguments.
// Everything works on a Buffer and indexes into it; nothing builds a string per byte.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const COMMA = 0x2c;
const SPACE = 0x20;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LPAREN = 0x28;
const RPAREN = 0x29;
const ZERO = 0x30;
const LT = 0x3c;
const GT = 0x3e;

// Value of an ASCII hex digit, or -1.
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[ZERO + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

// What a single-letter C escape stands for; 0 for letters strace does not use that way.
const SIMPLE_ESCAPE = new Uint8Array(256);
SIMPLE_ESCAPE[0x6e] = 0x0a; // \n
SIMPLE_ESCAPE[0x74] = 0x09; // \t
SIMPLE_ESCAPE[0x72] = 0x0d; // \r
SIMPLE_ESCAPE[0x76] = 0x0b; // \v
SIMPLE_ESCAPE[0x66] = 0x0c; // \f
SIMPLE_ESCAPE[0x61] = 0x07; // \a
SIMPLE_ESCAPE[0x62] = 0x08; // \b
SIMPLE_ESCAPE[BACKSLASH] = BACKSLASH;
SIMPLE_ESCAPE[QUOTE] = QUOTE;
SIMPLE_ESCAPE[0x27] = 0x27; // \'

// Strings longer than this (to the line's end) are copied run by run.
const LONG_STRING = 512;

const KEY_IOV_BASE = Buffer.from('iov_base=');
const KEY_MSG_IOV = Buffer.from('msg_iov=');

/**
 * A cursor over one line of strace output that decodes the data it meets into an output buffer.
 * After each read, `pos` is just past what was read, `out` has grown by the decoded bytes, and
 * `cut` is set when strace shortened a string or an array (its -s limit).
 */
export class ValueReader {
  src: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  dst: Buffer = Buffer.alloc(0);
  out = 0;
  cut = false;

  /** Points the reader at src[pos, end) and the output at dst[out...). */
  reset(src: Buffer, pos: number, end: number, dst: Buffer, out: number): void {
    this.src = src;
    this.pos = pos;
    this.end = end;
    this.dst = dst;
    this.out = out;
    this.cut = false;
  }

  /** Reads a quoted string (and a following "..." cut mark) if one is here; else skips a value. */
  readData(): void {
    if (this.src[this.pos] === QUOTE) this.readString();
    else this.skipValue();
  }

  /** Decodes the quoted string starting at pos into dst. */
  readString(): void {
    const src = this.src;
    const dst = this.dst;
    const end = this.end;
    let i = this.pos + 1;
    let o = this.out;
    // Long strings hold long plain runs (4 KiB blocks of text): find each run's end natively
    // and copy it whole. Short ones are faster byte by byte than through native calls.
    let quote = end - i > LONG_STRING ? src.indexOf(QUOTE, i) : -1;
    let slash = quote >= 0 ? src.indexOf(BACKSLASH, i) : -1;
    while (quote >= 0 && quote < end) {
      if (slash < 0 || slash > end) slash = end;
      const run = Math.min(quote, slash);
      if (run - i >= 16) {
        o += src.copy(dst, o, i, run);
        i = run;
      }
      if (i === quote) break;
      if (i !== slash) {
        dst[o++] = src[i++];
        continue;
      }
      i = this.escape(i, o);
      o++;
      if (i > quote) quote = src.indexOf(QUOTE, i);
      slash = src.indexOf(BACKSLASH, i);
    }
    for (;;) {
      if (i >= end) {
        // An unterminated string can only be a damaged line: keep what it held.
        this.cut = true;
        break;
      }
      const b = src[i];
      if (b === QUOTE) {
        i++;
        break;
      }
      if (b !== BACKSLASH) {
        dst[o++] = b;
        i++;
        continue;
      }
      i = this.escape(i, o);
      o++;
    }
    this.out = o;
    // strace marks a string it shortened with "..." right after the closing quote; dots inside
    // the quotes are the data's own.
    if (src[i] === DOT && src[i + 1] === DOT && src[i + 2] === DOT) {
      this.cut = true;
      i += 3;
    }
    this.pos = i;
  }

  // Decodes the escape at src[i] into dst[o]; returns the index after it.
  private escape(i: number, o: number): number {
    const src = this.src;
    const e = src[i + 1];
    const simple = SIMPLE_ESCAPE[e];
    if (simple !== 0) {
      this.dst[o] = simple;
      return i + 2;
    }
    if (e === 0x78 && HEX[src[i + 2]] >= 0 && HEX[src[i + 3]] >= 0) {
      this.dst[o] = (HEX[src[i + 2]] << 4) | HEX[src[i + 3]];
      return i + 4;
    }
    if (e >= ZERO && e <= 0x37) {
      // Octal, one to three digits: strace's form without hex escapes (\0, \33, \177).
      let v = e - ZERO;
      i += 2;
      for (let k = 0; k < 2 && src[i] >= ZERO && src[i] <= 0x37; k++) v = v * 8 + src[i++] - ZERO;
      this.dst[o] = v & 0xff;
      return i;
    }
    this.dst[o] = e;
    return i + 2;
  }

  /** Reads an iovec array ([{iov_base="..", iov_len=N}, ...]), concatenating its strings. */
  readIovArray(): void {
    const src = this.src;
    if (src[this.pos] !== LBRACKET) {
      this.skipValue();
      return;
    }
    this.pos++;
    while (this.pos < this.end) {
      const b = src[this.pos];
      if (b === RBRACKET) {
        this.pos++;
        return;
      }
      if (b === LBRACE) {
        this.pos++;
        if (this.matches(KEY_IOV_BASE)) {
          this.pos += KEY_IOV_BASE.length;
          // Past a cut element the bytes would no longer be contiguous: keep the prefix only.
          if (this.cut) this.skipValue();
          else this.readData();
        }
        this.skipTo(RBRACE);
        this.pos++;
      } else if (b === DOT) {
        // "..." in place of further elements: strace printed only the first -s of them.
        this.cut = true;
        this.pos++;
      } else {
        this.pos++;
      }
    }
  }

  /** Reads a struct msghdr ({msg_name=..., msg_iov=[...], ...}), decoding its msg_iov. */
  readMsghdr(): void {
    const src = this.src;
    if (src[this.pos] !== LBRACE) {
      this.skipValue();
      return;
    }
    this.pos++;
    while (this.pos < this.end) {
      const b = src[this.pos];
      if (b === RBRACE) {
        this.pos++;
        return;
      }
      if (this.matches(KEY_MSG_IOV)) {
        this.pos += KEY_MSG_IOV.length;
        this.readIovArray();
      } else if (b === QUOTE || b === LBRACE || b === LBRACKET || b === LPAREN) {
        this.skipValue();
      } else {
        this.pos++;
      }
    }
  }

  /** Skips one argument value, whatever its shape, up to the comma or bracket that ends it. */
  skipValue(): void {
    const src = this.src;
    let depth = 0;
    while (this.pos < this.end) {
      const b = src[this.pos];
      if (b === QUOTE) {
        this.skipString();
        continue;
      }
      if (b === LT) {
        this.skipTarget();
        continue;
      }
      if (b === LBRACE || b === LBRACKET || b === LPAREN) depth++;
      else if (b === RBRACE || b === RBRACKET || b === RPAREN) {
        if (depth === 0) return;
        depth--;
      } else if (b === COMMA && depth === 0) return;
      this.pos++;
    }
  }

  /** Moves past ", " between two arguments; false when the argument list ended instead. */
  nextArg(): boolean {
    if (this.src[this.pos] !== COMMA) return false;
    this.pos++;
    if (this.src[this.pos] === SPACE) this.pos++;
    return true;
  }

  /** Skips an fd's "<target>" as -y prints it; a path may hold brackets and commas. */
  skipTarget(): void {
    const src = this.src;
    let depth = 0;
    while (this.pos < this.end) {
      const b = src[this.pos++];
      // strace escapes < and > inside paths; nesting comes only from -yy's extra <...>.
      if (b === LT) depth++;
      else if (b === GT && --depth === 0) return;
    }
  }

  private skipTo(byte: number): void {
    const src = this.src;
    while (this.pos < this.end && src[this.pos] !== byte) {
      if (src[this.pos] === QUOTE) this.skipString();
      else this.pos++;
    }
  }

  private skipString(): void {
    const src = this.src;
    let i = this.pos + 1;
    while (i < this.end) {
      const b = src[i];
      if (b === QUOTE) {
        i++;
        break;
      }
      i += b === BACKSLASH ? 2 : 1;
    }
    this.pos = i;
  }

  private matches(key: Buffer): boolean {
    const src = this.src;
    if (this.pos + key.length > this.end) return false;
    for (let k = 0; k < key.length; k++) if (src[this.pos + k] !== key[k]) return false;
    return true;
  }
}
