// Reads a capture's folder by position: lines, writes and bytes, a range at a
// time. It works on a capture still being written (it sees what the writer has
// appended) and on one whose writer died (open lines are rebuilt from the tails).
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '../../../preload/contract';
import { FILES, LINE_RECORD, WRITE_RECORD, getLine, getWrite } from './records';
import type { LineRecord, WriteRecord } from './records';

/** Where open (unfinished) lines come from: the live writer, or the files' tails. */
export type OpenLines = () => LineRecord[];

/** A reader over one capture folder. */
export class CaptureReader {
  private readonly fds = new Map<string, number>();
  private openLines: OpenLines;

  constructor(
    readonly dir: string,
    readonly streamFds: readonly number[],
    openLines?: OpenLines,
  ) {
    // A folder no writer appends to any more does not change: rebuild its tails once.
    let tails: LineRecord[] | null = null;
    this.openLines = openLines ?? (() => (tails ??= this.tailLines()));
  }

  /** Switches to reading open lines from the files, once the writer has closed. */
  detachWriter(): void {
    this.openLines = () => [];
  }

  lineCount(): number {
    return this.storedLines() + this.openLines().length;
  }

  writeCount(): number {
    return Math.floor(this.size(FILES.writes) / WRITE_RECORD);
  }

  streamSize(fd: number): number {
    return this.size(FILES.stream(fd));
  }

  /** Line records [from, from + count), the open lines last. */
  lineRecords(from: number, count: number): LineRecord[] {
    const stored = this.storedLines();
    const out: LineRecord[] = [];
    if (from < stored) {
      const n = Math.min(count, stored - from);
      const buf = this.read(FILES.lines, from * LINE_RECORD, n * LINE_RECORD);
      for (let i = 0; i < n; i++) out.push(getLine(buf, i * LINE_RECORD));
    }
    if (out.length < count) {
      const open = this.openLines();
      const start = Math.max(0, from - stored);
      out.push(...open.slice(start, start + count - out.length));
    }
    return out;
  }

  /** Lines with their bytes, each cut to maxBytes. */
  lines(from: number, count: number, maxBytes = 64 * 1024): LogLine[] {
    return this.lineRecords(from, count).map((line, i) => ({
      index: from + i,
      fd: line.fd,
      t: line.t,
      length: line.length,
      bytes: this.bytes(line.fd, line.offset, Math.min(line.length, maxBytes)),
      complete: line.complete,
    }));
  }

  /** Write records [from, from + count). */
  writes(from: number, count: number): WriteRecord[] {
    const n = Math.max(0, Math.min(count, this.writeCount() - from));
    if (n === 0) return [];
    const buf = this.read(FILES.writes, from * WRITE_RECORD, n * WRITE_RECORD);
    const out: WriteRecord[] = [];
    for (let i = 0; i < n; i++) out.push(getWrite(buf, i * WRITE_RECORD));
    return out;
  }

  /** Index of the first write at or after t (µs); times are close to sorted. */
  writeIndexAt(t: number): number {
    return lowerBound(this.writeCount(), (i) => this.writes(i, 1)[0].t < t);
  }

  /** Index of the first line whose first byte came at or after t, or null. */
  lineIndexAt(t: number): number | null {
    const total = this.lineCount();
    if (total === 0) return null;
    const index = lowerBound(total, (i) => this.lineRecords(i, 1)[0].t < t);
    return Math.min(index, total - 1);
  }

  /** Bytes [offset, offset + length) of one fd's stream. */
  bytes(fd: number, offset: number, length: number): Uint8Array {
    return new Uint8Array(this.read(FILES.stream(fd), offset, length));
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private storedLines(): number {
    return Math.floor(this.size(FILES.lines) / LINE_RECORD);
  }

  /** Open lines of a capture whose writer died: each stream's bytes past its last line. */
  private tailLines(): LineRecord[] {
    const ends = new Map<number, number>();
    const stored = this.storedLines();
    const step = 4096;
    for (let to = stored; to > 0 && ends.size < this.streamFds.length; to -= step) {
      const from = Math.max(0, to - step);
      const records = this.lineRecords(from, to - from).reverse();
      for (const r of records) if (!ends.has(r.fd)) ends.set(r.fd, r.offset + r.length);
    }
    const open: LineRecord[] = [];
    for (const fd of this.streamFds) {
      const end = ends.get(fd) ?? 0;
      const size = this.streamSize(fd);
      if (size <= end) continue;
      const t = this.timeOfByte(fd, end);
      open.push({ t, offset: end, length: size - end, fd, complete: false });
    }
    return open.sort((a, b) => a.t - b.t);
  }

  private timeOfByte(fd: number, offset: number): number {
    const total = this.writeCount();
    for (let i = total - 1; i >= 0; i -= 1) {
      const w = this.writes(i, 1)[0];
      if (w.fd === fd && w.offset <= offset) return w.t;
    }
    return 0;
  }

  private handle(name: string): number | null {
    let fd = this.fds.get(name);
    if (fd === undefined) {
      const path = join(this.dir, name);
      if (!existsSync(path)) return null;
      fd = openSync(path, 'r');
      this.fds.set(name, fd);
    }
    return fd;
  }

  private size(name: string): number {
    const fd = this.handle(name);
    return fd === null ? 0 : fstatSync(fd).size;
  }

  private read(name: string, position: number, length: number): Buffer {
    const fd = this.handle(name);
    const buf = Buffer.alloc(length);
    if (fd === null || length === 0) return buf;
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buf : buf.subarray(0, done);
  }
}

/** The first i in [0, n) for which before(i) is false. */
export function lowerBound(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
