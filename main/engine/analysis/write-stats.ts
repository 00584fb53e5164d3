// The facts about a stream's recent writes that the diagnosis reasons from.
import type { CaptureReader } from '../store/capture-reader';
import type { WriteRecord } from '../store/records';

/** Writes looked at for a diagnosis: the most recent ones of the fd. */
const MAX_WRITES = 5000;
/** Bytes read to count newlines; older writes are dropped past this. */
const MAX_BYTES = 16 * 1024 * 1024;
const CHUNK = 8192;

/** One write, as the diagnosis sees it. */
export interface WriteFact {
  t: number;
  length: number;
  newlines: number;
  endsWithNewline: boolean;
}

/** The most recent writes of one fd, oldest first, with their newline counts. */
export function recentWrites(reader: CaptureReader, fd: number): WriteFact[] {
  const picked: WriteRecord[] = [];
  let bytes = 0;
  for (let end = reader.writeCount(); end > 0 && picked.length < MAX_WRITES; end -= CHUNK) {
    const start = Math.max(0, end - CHUNK);
    const chunk = reader.writes(start, end - start);
    for (let i = chunk.length - 1; i >= 0 && picked.length < MAX_WRITES; i--) {
      const w = chunk[i];
      if (w.fd !== fd) continue;
      if (bytes + w.length > MAX_BYTES && picked.length > 0) return facts(reader, fd, picked);
      bytes += w.length;
      picked.push(w);
    }
  }
  return facts(reader, fd, picked);
}

function facts(reader: CaptureReader, fd: number, newestFirst: WriteRecord[]): WriteFact[] {
  const writes = newestFirst.reverse();
  if (writes.length === 0) return [];
  // A stream's writes are contiguous in its file: one read covers them all.
  const start = writes[0].offset;
  const last = writes[writes.length - 1];
  const data = reader.bytes(fd, start, last.offset + last.length - start);
  return writes.map((w) => {
    const bytes = data.subarray(w.offset - start, w.offset - start + w.length);
    let newlines = 0;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) newlines++;
    return {
      t: w.t,
      length: w.full,
      newlines,
      endsWithNewline: bytes.length > 0 && bytes[bytes.length - 1] === 10,
    };
  });
}
