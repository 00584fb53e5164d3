// Reads small /proc files into one reused buffer: /proc reports a size of 0, so readFileSync
// stats, allocates and reads in rounds; this does one open, one or two reads, one close.
import { closeSync, openSync, readSync } from 'node:fs';

let buffer = Buffer.allocUnsafe(64 * 1024);

/** The bytes of a /proc file, copied out of the shared buffer. Throws as open(2) does. */
export function readProcBytes(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}

/** The text of a /proc file (UTF-8). */
export function readProcText(path: string): string {
  return readProcBytes(path).toString('utf8');
}
