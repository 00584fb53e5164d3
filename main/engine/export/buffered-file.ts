// A file written through a buffer, to a temporary name renamed at the end, so
// an export is either whole or absent.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

const FLUSH_AT = 1024 * 1024;

/** An output file that appears under its name only when commit() is called. */
export class BufferedFile {
  private readonly fd: number;
  private readonly temp: string;
  private parts: Uint8Array[] = [];
  private pending = 0;
  written = 0;

  constructor(readonly path: string) {
    this.temp = `${path}.fdscope-part`;
    this.fd = openSync(this.temp, 'w');
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.parts.push(bytes);
    this.pending += bytes.byteLength;
    if (this.pending >= FLUSH_AT) this.flush();
  }

  commit(): number {
    this.flush();
    closeSync(this.fd);
    renameSync(this.temp, this.path);
    return this.written;
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.temp, { force: true });
  }

  private flush(): void {
    const buf = Buffer.concat(this.parts);
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    this.written += buf.length;
    this.parts = [];
    this.pending = 0;
  }
}
