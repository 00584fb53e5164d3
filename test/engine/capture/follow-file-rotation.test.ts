// follow-file under what log rotation and shared log files do to a writer's file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFollowFileSource } from '../../../main/engine/capture/follow-file-source';
import { collectingSink, tempDir, waitFor } from '../../helpers/proc-fixtures';
import { startWriter, stopAllWriters } from '../../helpers/writers';

const temp = tempDir();
afterEach(stopAllWriters);
afterAll(() => temp.remove());

// "<name> N" lines every 5 ms, each one write.
const NUMBERED = `
import os, sys, time
n = 0
while True:
    n += 1
    os.write(1, b"%s %d\\n" % (sys.argv[1].encode(), n))
    time.sleep(0.005)
`;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** The numbers of the lines of one writer, in the order captured. */
function numbersOf(bytes: Buffer, name: string): number[] {
  return bytes
    .toString()
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => Number(l.slice(name.length + 1)));
}

function expectContiguous(numbers: number[]): void {
  expect(numbers.length).toBeGreaterThan(10);
  expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
}

describe('follow-file and log rotation', () => {
  it('follows the renamed file, not the new one created at the old path', async () => {
    const path = temp.path('rotate.log');
    const app = await startWriter({
      language: 'python',
      source: NUMBERED,
      args: ['app'],
      stdout: { file: path },
    });
    await waitFor(() => sizeOf(path) > 100, 'the first lines');
    const source = createFollowFileSource({ pid: app.pid, fd: 1 });
    const sink = collectingSink();
    await source.start(sink);
    await waitFor(() => numbersOf(sink.bytes(), 'app').length >= 10, 'lines before rotating');

    // logrotate's default (create): rename, then a new file at the old path, which another
    // process writes to while the app, not told, writes on into the renamed one.
    renameSync(path, `${path}.1`);
    await startWriter({
      language: 'python',
      source: NUMBERED,
      args: ['new'],
      stdout: { file: path },
    });
    await waitFor(() => sizeOf(path) > 200, 'lines in the new file');
    const atRename = numbersOf(sink.bytes(), 'app').length;
    await waitFor(() => numbersOf(sink.bytes(), 'app').length >= atRename + 30, 'lines after');
    await source.stop();

    const captured = sink.bytes();
    expectContiguous(numbersOf(captured, 'app'));
    expect(numbersOf(captured, 'new')).toEqual([]);
    expect(readFileSync(`${path}.1`).includes(captured)).toBe(true);
    expect(sink.notices.filter((n) => n.level !== 'info')).toEqual([]);
  });

  it('captures both processes appending to one O_APPEND file, naming the other', async () => {
    const path = temp.path('shared.log');
    const one = await startWriter({
      language: 'python',
      source: NUMBERED,
      args: ['one'],
      stdout: { file: path },
    });
    const two = await startWriter({
      language: 'python',
      source: NUMBERED,
      args: ['two'],
      stdout: { file: path },
    });
    await waitFor(() => sizeOf(path) > 100, 'the first lines');
    const source = createFollowFileSource({ pid: one.pid, fd: 1 });
    const sink = collectingSink();

    await source.start(sink);
    await waitFor(() => numbersOf(sink.bytes(), 'two').length >= 30, '30 lines of the second');
    await source.stop();

    const captured = sink.bytes();
    const file = readFileSync(path);
    const at = file.indexOf(captured);
    expect(at).toBeGreaterThan(0);
    expect(sha(file.subarray(at, at + captured.length))).toBe(sha(captured));
    expectContiguous(numbersOf(captured, 'one'));
    expectContiguous(numbersOf(captured, 'two'));
    // Bytes appear in the file with no writer attached: each read is the followed pid's, and a
    // notice names the other writer so that nobody takes that for who wrote it.
    expect(sink.events.every((e) => e.pid === one.pid)).toBe(true);
    // (The writers' relays hold the file as their stdout too: they are named as well.)
    expect(sink.notices.map((n) => n.level)).toEqual(['info']);
    expect(sink.notices[0].message).toContain(`pid ${two.pid} (python3)`);
    expect(sink.notices[0].message).toMatch(
      new RegExp(
        ' also have this file open for writing; follow-file sees bytes appear, not who wrote ' +
          `them, so every read is shown as pid ${one.pid}'s$`,
      ),
    );
  });

  it('names a process that opens the file for writing after the capture began', async () => {
    const path = temp.path('later.log');
    const one = await startWriter({
      language: 'python',
      source: NUMBERED,
      args: ['one'],
      stdout: { file: path },
    });
    await waitFor(() => sizeOf(path) > 100, 'the first lines');
    const source = createFollowFileSource({ pid: one.pid, fd: 1, holdersScanMs: 100 });
    const sink = collectingSink();
    await source.start(sink);
    await waitFor(() => sink.notices.length === 1, 'the notice naming the relay');

    const later = await startWriter({
      language: 'python',
      source: NUMBERED,
      args: ['later'],
      stdout: { file: path },
    });
    await waitFor(
      () => sink.notices.some((n) => n.message.includes(`pid ${later.pid} (python3)`)),
      'a notice naming the later writer',
    );
    await waitFor(() => numbersOf(sink.bytes(), 'later').length >= 15, 'its lines');
    await source.stop();

    // The later writer's relay may be seen in a scan of its own, before the writer.
    expect(sink.notices.every((n) => n.level === 'info')).toBe(true);
    expect(sink.notices[0].message).not.toContain(`pid ${later.pid} `);
    expectContiguous(numbersOf(sink.bytes(), 'later'));
  });
});
