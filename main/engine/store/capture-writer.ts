// Appends a capture's writes to disk as they arrive: each fd's bytes to its own
// stream file (so a stream's bytes are contiguous and its raw export is a copy),
// one record per write, and one record per line as it completes.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { WriteEvent } from '../capture/source';
import { FILES, LINE_RECORD, WRITE_RECORD, putLine, putWrite, type LineRecord } from './records';

/** Per-fd totals kept while writing. */
export interface StreamTotals {
  bytes: number;
  writes: number;
  lines: number;
}

interface StreamFile extends StreamTotals {
  osFd: number;
  /** The open line: where and when its first byte came. */
  open: { t: number; offset: number } | null;
}

/** Writes one capture's folder; synchronous, so what append() returns from is on disk. */
export class CaptureWriter {
  private readonly streams = new Map<number, StreamFile>();
  private readonly writesFd: number;
  private readonly linesFd: number;
  private lineRecords = 0;
  private closed = false;

  constructor(
    readonly dir: string,
    fds: readonly number[],
  ) {
    mkdirSync(dir, { recursive: true });
    this.writesFd = openSync(join(dir, FILES.writes), 'a');
    this.linesFd = openSync(join(dir, FILES.lines), 'a');
    for (const fd of fds) {
      const osFd = openSync(join(dir, FILES.stream(fd)), 'a');
      this.streams.set(fd, { osFd, bytes: 0, writes: 0, lines: 0, open: null });
    }
  }

  /** Stores a batch of writes: one disk write per file per batch. */
  append(events: readonly WriteEvent[]): void {
    if (this.closed || events.length === 0) return;
    const writeIndex = Buffer.allocUnsafe(events.length * WRITE_RECORD);
    const lineRecords: LineRecord[] = [];
    const chunks = new Map<number, Buffer[]>();
    let at = 0;
    for (const event of events) {
      const stream = this.streams.get(event.fd);
      if (!stream) continue;
      const offset = stream.bytes;
      putWrite(writeIndex, at, { ...event, offset, length: event.bytes.length });
      at += WRITE_RECORD;
      this.splitLines(event, stream, offset, lineRecords);
      stream.bytes += event.bytes.length;
      stream.writes += 1;
      const list = chunks.get(event.fd) ?? [];
      list.push(event.bytes);
      chunks.set(event.fd, list);
    }
    for (const [fd, list] of chunks) writeAll(this.streams.get(fd)!.osFd, Buffer.concat(list));
    writeAll(this.writesFd, writeIndex.subarray(0, at));
    this.putLines(lineRecords);
  }

  /** Lines still open (no newline yet), by time of their first byte. */
  openLines(): LineRecord[] {
    const lines: LineRecord[] = [];
    for (const [fd, s] of this.streams) {
      if (s.open) {
        const length = s.bytes - s.open.offset;
        lines.push({ t: s.open.t, offset: s.open.offset, length, fd, complete: false });
      }
    }
    return lines.sort((a, b) => a.t - b.t);
  }

  /** Lines recorded in lines.idx so far. */
  get storedLines(): number {
    return this.lineRecords;
  }

  totals(fd: number): StreamTotals {
    const s = this.streams.get(fd);
    return s
      ? { bytes: s.bytes, writes: s.writes, lines: s.lines }
      : { bytes: 0, writes: 0, lines: 0 };
  }

  /** Records the open lines as incomplete ones and closes the files. */
  close(): void {
    if (this.closed) return;
    const open = this.openLines();
    for (const line of open) {
      this.streams.get(line.fd)!.open = null;
      this.streams.get(line.fd)!.lines += 1;
    }
    this.putLines(open);
    this.closed = true;
    for (const s of this.streams.values()) closeSync(s.osFd);
    closeSync(this.writesFd);
    closeSync(this.linesFd);
  }

  private splitLines(event: WriteEvent, s: StreamFile, offset: number, out: LineRecord[]): void {
    const bytes = event.bytes;
    let from = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, from)) {
      const start = s.open ?? { t: event.t, offset: offset + from };
      const length = offset + nl + 1 - start.offset;
      out.push({ t: start.t, offset: start.offset, length, fd: event.fd, complete: true });
      s.open = null;
      s.lines += 1;
      from = nl + 1;
    }
    if (from < bytes.length && !s.open) s.open = { t: event.t, offset: offset + from };
  }

  private putLines(lines: readonly LineRecord[]): void {
    if (lines.length === 0) return;
    const buf = Buffer.allocUnsafe(lines.length * LINE_RECORD);
    lines.forEach((line, i) => putLine(buf, i * LINE_RECORD, line));
    writeAll(this.linesFd, buf);
    this.lineRecords += lines.length;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
}
