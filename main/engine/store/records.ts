// Fixed-size binary records of the two indexes a capture keeps on disk.
// Fixed sizes let a reader find record N with one positioned read, so memory
// stays bounded however long a capture runs.

/** writes.idx: one record per write. */
export const WRITE_RECORD = 32;
/** lines.idx: one record per line, appended when the line completes. */
export const LINE_RECORD = 32;

/** Line flag: the line ends with a newline. */
export const LINE_COMPLETE = 1;

/** One write as indexed: where its bytes sit in its stream's file. */
export interface WriteRecord {
  /** µs since the epoch. */
  t: number;
  /** Offset of the write's bytes in the fd's stream file. */
  offset: number;
  /** Bytes captured. */
  length: number;
  /** Bytes the call wrote (its return value). */
  full: number;
  pid: number;
  fd: number;
}

/** One line as indexed. */
export interface LineRecord {
  /** Time of the line's first byte, µs since the epoch. */
  t: number;
  offset: number;
  length: number;
  fd: number;
  complete: boolean;
}

/** Writes a write record at `at` in `buf`. */
export function putWrite(buf: Buffer, at: number, w: WriteRecord): void {
  buf.writeDoubleLE(w.t, at);
  buf.writeDoubleLE(w.offset, at + 8);
  buf.writeUInt32LE(w.length, at + 16);
  buf.writeUInt32LE(Math.min(w.full, 0xffffffff), at + 20);
  buf.writeUInt32LE(w.pid, at + 24);
  buf.writeUInt16LE(w.fd, at + 28);
  buf.writeUInt16LE(0, at + 30);
}

/** Reads the write record at `at` in `buf`. */
export function getWrite(buf: Buffer, at: number): WriteRecord {
  return {
    t: buf.readDoubleLE(at),
    offset: buf.readDoubleLE(at + 8),
    length: buf.readUInt32LE(at + 16),
    full: buf.readUInt32LE(at + 20),
    pid: buf.readUInt32LE(at + 24),
    fd: buf.readUInt16LE(at + 28),
  };
}

/** Writes a line record at `at` in `buf`. */
export function putLine(buf: Buffer, at: number, l: LineRecord): void {
  buf.writeDoubleLE(l.t, at);
  buf.writeDoubleLE(l.offset, at + 8);
  buf.writeDoubleLE(l.length, at + 16);
  buf.writeUInt32LE(l.fd, at + 24);
  buf.writeUInt32LE(l.complete ? LINE_COMPLETE : 0, at + 28);
}

/** Reads the line record at `at` in `buf`. */
export function getLine(buf: Buffer, at: number): LineRecord {
  return {
    t: buf.readDoubleLE(at),
    offset: buf.readDoubleLE(at + 8),
    length: buf.readDoubleLE(at + 16),
    fd: buf.readUInt32LE(at + 24),
    complete: (buf.readUInt32LE(at + 28) & LINE_COMPLETE) !== 0,
  };
}

/** The file names inside a capture's folder. */
export const FILES = {
  meta: 'meta.json',
  writes: 'writes.idx',
  lines: 'lines.idx',
  stream: (fd: number) => `fd${fd}.bin`,
} as const;
