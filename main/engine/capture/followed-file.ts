// One open regular file being followed: reads what is added past our offset, and notices when
// the file was truncated under us (copytruncate), including the hole of zero bytes a writer
// without O_APPEND leaves when it writes on at its old offset.
import { closeSync, readSync } from 'node:fs';

/** Where a followed file delivers what it reads, in order. */
export interface FollowedFileSink {
  bytes(chunk: Buffer): void;
  notice(level: 'info' | 'warning', message: string): void;
}

// Bytes before our offset we keep and compare on each read: a truncation that the file has
// already regrown past (a hole, or O_APPEND lines) shows as these bytes having changed.
const TAIL_BYTES = 32;
const CHUNK_BYTES = 64 * 1024;

/** A followed file: an fd of ours on it, our offset, and what truncation left to explain. */
export class FollowedFile {
  private readonly buffer = Buffer.allocUnsafe(TAIL_BYTES + CHUNK_BYTES);
  private tail: Buffer = Buffer.alloc(0);
  /** The file's first bytes as read: a truncation changes them, a rewrite in place does not. */
  private head: Buffer = Buffer.alloc(0);
  /** Set from a truncation until the first non-zero byte: zeros skipped, bytes read before. */
  private hole: { zeros: number; readBefore: number } | null = null;

  constructor(
    private file: number,
    /** Our offset: every byte before it has been delivered (or explained). */
    public offset: number,
    private readonly sink: FollowedFileSink,
    /** Whether the writer's fd has O_APPEND (null when it cannot be read). */
    private readonly appends: () => boolean | null,
    /** How the fd is named in notices: "fd 1". */
    private readonly name: string,
  ) {
    if (offset > 0) {
      const k = Math.min(TAIL_BYTES, offset);
      const n = readSync(file, this.buffer, 0, k, offset - k);
      this.tail = Buffer.from(this.buffer.subarray(0, n));
      this.head = this.readHead(Math.min(TAIL_BYTES, offset));
    }
  }

  /** Reads what is new, at most about `budget` bytes; returns false when it stopped at it. */
  drain(budget: number): boolean {
    let left = budget;
    while (left > 0) {
      // One pread covers the kept tail and what follows: the tail check costs no extra call.
      const k = this.tail.length;
      const n = readSync(this.file, this.buffer, 0, k + CHUNK_BYTES, this.offset - k);
      if (k > 0 && (n < k || this.buffer.compare(this.tail, 0, k, 0, k) !== 0)) {
        if (n < k || !this.readHead(this.head.length).equals(this.head)) {
          this.truncated();
          continue;
        }
        this.rewritten(n);
      }
      if (n <= k) return true;
      this.take(this.buffer.subarray(k, n));
      left -= n - k;
      if (n < k + CHUNK_BYTES) return true;
    }
    return false;
  }

  /** Says what a hole still open at the end held; closes our fd. */
  close(): void {
    if (this.hole && this.hole.zeros > 0) this.endHole();
    if (this.file >= 0) closeSync(this.file);
    this.file = -1;
  }

  /** The first `length` bytes of the file as it is now. */
  private readHead(length: number): Buffer {
    const head = Buffer.alloc(length);
    const n = length > 0 ? readSync(this.file, head, 0, length, 0) : 0;
    return head.subarray(0, n);
  }

  /** Bytes already read changed while the file's start did not: rewritten, not truncated. */
  private rewritten(n: number): void {
    const k = this.tail.length;
    this.sink.notice(
      'warning',
      `bytes already read (before offset ${this.offset}) were rewritten in place; ` +
        'the capture keeps them as first read and goes on from there',
    );
    this.tail = Buffer.from(this.buffer.subarray(0, Math.min(k, n)));
  }

  private truncated(): void {
    const readBefore = this.offset;
    this.sink.notice(
      'warning',
      `file truncated after ${readBefore} bytes read; following it from its new start; ` +
        'what was written after the last read and before the truncation is missing',
    );
    this.offset = 0;
    this.tail = Buffer.alloc(0);
    this.head = Buffer.alloc(0);
    // With O_APPEND the writer starts again at 0; without it, it writes on at its old offset
    // and the kernel fills the file up to there with zeros the process never wrote.
    if (this.appends() !== true) this.hole = { zeros: 0, readBefore };
  }

  private take(chunk: Buffer): void {
    let data = chunk;
    if (this.hole) {
      let zeros = 0;
      while (zeros < data.length && data[zeros] === 0) zeros += 1;
      this.hole.zeros += zeros;
      this.advance(data.subarray(0, zeros));
      if (zeros === data.length) return;
      this.endHole();
      data = data.subarray(zeros);
    }
    this.sink.bytes(Buffer.from(data));
    this.advance(data);
  }

  private endHole(): void {
    const { zeros, readBefore } = this.hole!;
    this.hole = null;
    let message =
      `hole of ${zeros} zero bytes: ${this.name} is not O_APPEND, so after the truncation ` +
      'the writer went on at its old offset; the zeros are not output and are left out';
    // The writer's old offset is where the file ended before the truncation: what lies between
    // our last read and it was written and never read.
    if (zeros > readBefore) {
      message += `; ${zeros - readBefore} bytes written before the truncation are missing`;
    }
    this.sink.notice('warning', message);
  }

  private advance(bytes: Buffer): void {
    if (this.head.length < TAIL_BYTES && this.offset === this.head.length) {
      const more = bytes.subarray(0, TAIL_BYTES - this.head.length);
      this.head = Buffer.concat([this.head, more]);
    }
    this.offset += bytes.length;
    if (bytes.length >= TAIL_BYTES) {
      this.tail = Buffer.from(bytes.subarray(bytes.length - TAIL_BYTES));
    } else if (bytes.length > 0) {
      const joined = Buffer.concat([this.tail, bytes]);
      this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
    }
  }
}
