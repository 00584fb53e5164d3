// The app's log: lines appended to a file in its data folder, rotated by size
// so a long session keeps a few bounded files, never an unbounded one.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RotatingLogOptions {
  dir: string;
  /** default fdscope.log */
  name?: string;
  /** Size at which the current file is rotated; default 1 MiB. */
  maxBytes?: number;
  /** Rotated files kept besides the current one (at least 1); default 3. */
  keep?: number;
}

export interface RotatingLog {
  readonly path: string;
  write(line: string): void;
}

/** A log file that rotates to name.1 ... name.keep once it exceeds maxBytes. */
export function createRotatingLog(options: RotatingLogOptions): RotatingLog {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const keep = Math.max(1, options.keep ?? 3);
  const path = join(options.dir, options.name ?? 'fdscope.log');
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  let size = sizeOf(path);

  const rotate = () => {
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) moveIfThere(`${path}.${i}`, `${path}.${i + 1}`);
    moveIfThere(path, `${path}.1`);
    size = 0;
  };

  return {
    path,
    write: (line) => {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) rotate();
      try {
        appendFileSync(path, line, { mode: 0o600 });
        size += bytes;
      } catch {
        // A log that cannot be written must not take the app down with it.
      }
    },
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function moveIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // Not there yet: nothing to move.
  }
}
