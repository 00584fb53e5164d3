import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteEvent } from '../../../main/engine/capture/source';
import { CaptureReader } from '../../../main/engine/store/capture-reader';
import { CaptureWriter } from '../../../main/engine/store/capture-writer';
import { searchLines } from '../../../main/engine/store/search';
import { timelineQuery } from '../../../main/engine/store/timeline-query';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const write = (t: number, fd: number, text: string | Buffer): WriteEvent => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { t, pid: 42, fd, bytes, full: bytes.length };
};
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('the capture store', () => {
  it('keeps each stream byte for byte in its own file', () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1, 2]);
    writer.append([write(1, 1, 'hel'), write(2, 2, 'oops\n'), write(3, 1, 'lo\nwor')]);
    writer.append([write(4, 1, Buffer.from([0xff, 0x00, 0x0a]))]);
    writer.close();

    expect(readFileSync(join(dir, 'fd1.bin'))).toEqual(
      Buffer.concat([Buffer.from('hello\nwor'), Buffer.from([0xff, 0x00, 0x0a])]),
    );
    expect(readFileSync(join(dir, 'fd2.bin')).toString()).toBe('oops\n');
  });

  it('indexes lines in order of completion, each timed at its first byte', () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1, 2]);
    writer.append([write(10, 1, 'a'), write(20, 2, 'err\n'), write(30, 1, 'b\nc\nd')]);
    const reader = new CaptureReader(dir, [1, 2], () => writer.openLines());

    const lines = reader.lines(0, 10);

    expect(lines.map((l) => [l.fd, l.t, text(l.bytes), l.complete])).toEqual([
      [2, 20, 'err\n', true],
      [1, 10, 'ab\n', true],
      [1, 30, 'c\n', true],
      [1, 30, 'd', false],
    ]);
    expect(reader.lineCount()).toBe(4);
  });

  it('records the open line as incomplete when the capture closes', () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1]);
    writer.append([write(1, 1, 'x\npartial')]);
    writer.close();

    const reader = new CaptureReader(dir, [1]);

    expect(reader.lines(0, 5).map((l) => [text(l.bytes), l.complete])).toEqual([
      ['x\n', true],
      ['partial', false],
    ]);
  });

  it('rebuilds the open lines of a capture whose writer died', () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1, 2]);
    writer.append([write(1, 1, 'one\ntw'), write(2, 2, 'e'), write(3, 1, 'o')]);
    // No close(): as after a crash.

    const reader = new CaptureReader(dir, [1, 2]);

    expect(reader.lines(0, 5).map((l) => [l.fd, l.t, text(l.bytes), l.complete])).toEqual([
      [1, 1, 'one\n', true],
      [1, 1, 'two', false],
      [2, 2, 'e', false],
    ]);
  });

  it('caps the bytes of a long line but reports its whole length', () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1]);
    writer.append([write(1, 1, 'x'.repeat(100_000) + '\n')]);

    const [line] = new CaptureReader(dir, [1], () => writer.openLines()).lines(0, 1, 1000);

    expect(line.bytes.length).toBe(1000);
    expect(line.length).toBe(100_001);
  });

  it('answers the timeline with writes when few and buckets when many', () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1, 2]);
    const events = Array.from({ length: 5000 }, (_, i) => write(i * 10, i % 2 ? 2 : 1, 'ab'));
    writer.append(events);
    const reader = new CaptureReader(dir, [1, 2], () => writer.openLines());

    const few = timelineQuery(reader, [1, 2], 0, 90, 10);
    const many = timelineQuery(reader, [1, 2], 0, 49_990, 10);

    expect(few.writes?.map((w) => w.t)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(many.writes).toBeNull();
    expect(many.total).toBe(5000);
    const counts = many.buckets!.flatMap((b) => b.counts);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(many.buckets!.find((b) => b.fd === 1)!.bytes.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('finds lines by text forwards and backwards, and the line at a time', async () => {
    const dir = tempDir();
    const writer = new CaptureWriter(dir, [1]);
    writer.append(
      ['alpha\n', 'Beta\n', 'gamma\n', 'beta again\n'].map((s, i) => write(i * 100, 1, s)),
    );
    const reader = new CaptureReader(dir, [1], () => writer.openLines());

    expect(await searchLines(reader, { query: 'beta', from: 0 })).toBe(1);
    expect(await searchLines(reader, { query: 'beta', from: 0, caseSensitive: true })).toBe(3);
    expect(await searchLines(reader, { query: 'beta', from: 2, backwards: true })).toBe(1);
    expect(await searchLines(reader, { query: 'delta', from: 0 })).toBeNull();
    expect(reader.lineIndexAt(150)).toBe(2);
  });
});
