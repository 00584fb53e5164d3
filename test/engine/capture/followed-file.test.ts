// The truncation races of copytruncate, played step by step on a real file.
import { appendFileSync, openSync, closeSync, truncateSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FollowedFile } from '../../../main/engine/capture/followed-file';
import { tempDir } from '../../helpers/proc-fixtures';

const temp = tempDir();
let serial = 0;
afterAll(() => temp.remove());

function follow(appends: boolean | null) {
  serial += 1;
  const path = temp.path(`f-${serial}.log`);
  appendFileSync(path, '');
  const seen: Buffer[] = [];
  const notices: string[] = [];
  const file = new FollowedFile(
    openSync(path, 'r'),
    0,
    { bytes: (b) => void seen.push(b), notice: (_level, message) => void notices.push(message) },
    () => appends,
    'fd 1',
  );
  return { path, file, notices, bytes: () => Buffer.concat(seen) };
}

const text = (n: number, c: string) => Buffer.alloc(n, c);

describe('FollowedFile', () => {
  it('delivers NUL bytes a writer appends as data when nothing was truncated', () => {
    const f = follow(false);
    const data = Buffer.from([0, 0, 0x41, 0, 0x0a]);

    appendFileSync(f.path, data);
    f.file.drain(1 << 20);

    expect(f.bytes().equals(data)).toBe(true);
    expect(f.notices).toEqual([]);
  });

  it('reports the hole a writer without O_APPEND leaves, and the bytes lost in the race', () => {
    const f = follow(false);
    appendFileSync(f.path, text(1000, 'a'));
    f.file.drain(1 << 20);

    // Written but not read yet; then truncated; then the writer goes on at its old offset.
    appendFileSync(f.path, text(300, 'b'));
    truncateSync(f.path, 0);
    const fd = openSync(f.path, 'r+');
    writeSync(fd, Buffer.from('next line\n'), 0, 10, 1300);
    closeSync(fd);
    f.file.drain(1 << 20);

    expect(f.bytes().toString()).toBe('a'.repeat(1000) + 'next line\n');
    expect(f.notices).toEqual([
      'file truncated after 1000 bytes read; following it from its new start; ' +
        'what was written after the last read and before the truncation is missing',
      'hole of 1300 zero bytes: fd 1 is not O_APPEND, so after the truncation the writer went ' +
        'on at its old offset; the zeros are not output and are left out; ' +
        '300 bytes written before the truncation are missing',
    ]);
  });

  it('notices an O_APPEND file truncated and regrown past what was read, doubling nothing', () => {
    const f = follow(true);
    appendFileSync(f.path, text(1000, 'a'));
    f.file.drain(1 << 20);

    appendFileSync(f.path, text(200, 'b'));
    truncateSync(f.path, 0);
    appendFileSync(f.path, text(1500, 'c'));
    f.file.drain(1 << 20);

    expect(f.bytes().toString()).toBe('a'.repeat(1000) + 'c'.repeat(1500));
    expect(f.notices).toEqual([expect.stringMatching(/^file truncated after 1000 bytes read;/)]);
  });

  it('takes bytes rewritten in place for a rewrite, not a truncation, and reads on', () => {
    const f = follow(false);
    appendFileSync(f.path, text(1000, 'a'));
    f.file.drain(1 << 20);

    const fd = openSync(f.path, 'r+');
    writeSync(fd, Buffer.from('Z'), 0, 1, 995);
    closeSync(fd);
    appendFileSync(f.path, 'new\n');
    f.file.drain(1 << 20);

    expect(f.bytes().toString()).toBe('a'.repeat(1000) + 'new\n');
    expect(f.notices).toEqual([
      'bytes already read (before offset 1000) were rewritten in place; ' +
        'the capture keeps them as first read and goes on from there',
    ]);
  });

  it('says how long a hole was when the capture ends inside it', () => {
    const f = follow(false);
    appendFileSync(f.path, text(100, 'a'));
    f.file.drain(1 << 20);
    truncateSync(f.path, 0);
    truncateSync(f.path, 4096);

    f.file.drain(1 << 20);
    f.file.close();

    expect(f.notices[1]).toMatch(/^hole of 4096 zero bytes: .*; 3996 bytes written before/);
    expect(f.bytes().length).toBe(100);
  });
});
