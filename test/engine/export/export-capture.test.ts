import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteEvent } from '../../../main/engine/capture/source';
import type { FdscopeError } from '../../../main/engine/errors';
import { exportCapture } from '../../../main/engine/export/export-capture';
import { isoMicros } from '../../../main/engine/export/time-format';
import { CaptureReader } from '../../../main/engine/store/capture-reader';
import { CaptureWriter } from '../../../main/engine/store/capture-writer';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function capture(events: WriteEvent[]): { reader: CaptureReader; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-export-'));
  dirs.push(dir);
  const writer = new CaptureWriter(join(dir, 'cap'), [1, 2]);
  writer.append(events);
  writer.close();
  return { reader: new CaptureReader(join(dir, 'cap'), [1, 2]), out: dir };
}
const w = (t: number, fd: number, bytes: Buffer | string): WriteEvent => {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { t, pid: 7, fd, bytes: b, full: b.length };
};
const T = 1_780_000_000_000_000;

describe('export', () => {
  it('writes the raw bytes of one stream unchanged', () => {
    const odd = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0xe2, 0x94]);
    const { reader, out } = capture([w(T, 1, 'a\r\n'), w(T + 1, 2, 'e'), w(T + 2, 1, odd)]);

    const result = exportCapture(reader, {
      id: 'x',
      format: 'raw',
      fds: [1],
      path: join(out, 'o.bin'),
    });

    expect(readFileSync(result.path)).toEqual(Buffer.concat([Buffer.from('a\r\n'), odd]));
    expect(result.bytes).toBe(9);
  });

  it('stamps each line once, at its first byte, in text', () => {
    const { reader, out } = capture([
      w(T, 1, 'one '),
      w(T + 5, 1, 'line\ntwo'),
      w(T + 9, 2, 'err\n'),
    ]);

    exportCapture(reader, { id: 'x', format: 'text', fds: [1, 2], path: join(out, 'o.txt') });

    expect(readFileSync(join(out, 'o.txt'), 'utf8')).toBe(
      `${isoMicros(T)} stdout one line\n` +
        `${isoMicros(T + 9)} stderr err\n` +
        `${isoMicros(T + 5)} stdout two\n`,
    );
  });

  it('writes every write as JSON Lines, bytes that are not UTF-8 in base64', () => {
    const { reader, out } = capture([w(T, 1, 'hi\n'), w(T + 1, 1, Buffer.from([0xff]))]);

    exportCapture(reader, { id: 'x', format: 'jsonl', fds: [1], path: join(out, 'o.jsonl') });
    const rows = readFileSync(join(out, 'o.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

    expect(rows).toEqual([
      {
        time: isoMicros(T),
        t_us: T,
        pid: 7,
        fd: 1,
        stream: 'stdout',
        bytes: 3,
        captured: 3,
        text: 'hi\n',
      },
      {
        time: isoMicros(T + 1),
        t_us: T + 1,
        pid: 7,
        fd: 1,
        stream: 'stdout',
        bytes: 1,
        captured: 1,
        base64: '/w==',
      },
    ]);
  });

  it('writes the timeline as CSV', () => {
    const { reader, out } = capture([w(T, 1, 'abc'), w(T + 2, 2, 'de')]);

    exportCapture(reader, { id: 'x', format: 'csv', fds: [1, 2], path: join(out, 'o.csv') });

    expect(readFileSync(join(out, 'o.csv'), 'utf8')).toBe(
      'time,t_us,pid,fd,stream,bytes,captured\n' +
        `${isoMicros(T)},${T},7,1,stdout,3,3\n${isoMicros(T + 2)},${T + 2},7,2,stderr,2,2\n`,
    );
  });

  it('refuses a relative path, a missing folder and raw of two streams, writing nothing', () => {
    const { reader, out } = capture([w(T, 1, 'a')]);
    const attempt = (path: string, fds = [1]) => {
      try {
        exportCapture(reader, { id: 'x', format: 'raw', fds, path });
        return 'no error';
      } catch (error) {
        return (error as FdscopeError).oneLine();
      }
    };

    expect(attempt('rel.bin')).toMatch(/^unable to export: "rel.bin" is not an absolute path; /);
    expect(attempt(join(out, 'nope', 'o.bin'))).toMatch(/the folder .*nope does not exist/);
    expect(attempt(join(out, 'two.bin'), [1, 2])).toMatch(
      /one stream at a time; choose fd 1 or fd 2/,
    );
    expect(existsSync(join(out, 'two.bin'))).toBe(false);
  });

  it('never replaces an existing file unless asked to', () => {
    const { reader, out } = capture([w(T, 1, 'new')]);
    const path = join(out, 'precious.txt');
    writeFileSync(path, 'PRECIOUS DATA');
    let refusal = '';

    try {
      exportCapture(reader, { id: 'x', format: 'raw', fds: [1], path });
    } catch (error) {
      refusal = (error as FdscopeError).oneLine();
    }
    const kept = readFileSync(path, 'utf8');
    exportCapture(reader, { id: 'x', format: 'raw', fds: [1], path, overwrite: true });

    expect(refusal).toMatch(/already exists; choose another name, or replace it$/);
    expect(kept).toBe('PRECIOUS DATA');
    expect(readFileSync(path, 'utf8')).toBe('new');
  });
});
