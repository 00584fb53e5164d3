import { spawn } from 'node:child_process';
import {
  closeSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFollowFileSource } from '../../../main/engine/capture/follow-file-source';
import {
  closeAllFixtures,
  collectingSink,
  isAlive,
  lineNumbers,
  startFixture,
  tempDir,
  waitFor,
} from '../../helpers/proc-fixtures';

const temp = tempDir();
let serial = 0;
afterEach(closeAllFixtures);
afterAll(() => temp.remove());

function fileName(): string {
  serial += 1;
  return temp.path(`out-${serial}.log`);
}

function lineCount(path: string): number {
  return readFileSync(path, 'utf8').split('\n').length - 1;
}

/** Asserts that numbers run up by one without gap or repeat. */
function expectContiguous(numbers: number[]): void {
  expect(numbers.length).toBeGreaterThan(0);
  expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
}

describe('follow-file', () => {
  it('captures from the end a byte-exact contiguous slice of what the writer appends', async () => {
    const path = fileName();
    const writer = await startFixture({
      stdout: 'append',
      path,
      writes: { lines: 0, intervalMs: 5, prefix: 'line', width: 80 },
    });
    await waitFor(() => lineCount(path) >= 20, 'the first lines');
    const source = createFollowFileSource({ pid: writer.pid, fd: 1 });
    const sink = collectingSink();

    await source.start(sink);
    await waitFor(() => sink.lines().length >= 100, '100 captured lines');
    await source.stop();

    const captured = sink.bytes();
    const file = readFileSync(path);
    const at = file.indexOf(captured);
    expect(at).toBeGreaterThan(0);
    expect(file[at - 1]).toBe(0x0a);
    expect(file.subarray(at, at + captured.length).equals(captured)).toBe(true);
    expect(await source.ended).toEqual({ reason: 'stopped' });
    expect(isAlive(writer.pid)).toBe(true);
  });

  it('reads from the start on request and ends with all of it when the process exits', async () => {
    const path = fileName();
    const go = temp.path(`go-${serial}`);
    const writer = await startFixture({
      stdout: 'file',
      path,
      writes: { lines: 300, intervalMs: 2, prefix: 'line', waitFor: go },
    });
    const source = createFollowFileSource({ pid: writer.pid, fd: 1, fromStart: true });
    const sink = collectingSink();

    await source.start(sink);
    writeFileSync(go, '');
    const end = await source.ended;

    expect(end).toEqual({ reason: 'process exited' });
    expect(sink.bytes().equals(readFileSync(path))).toBe(true);
    expect(lineNumbers(sink.lines())).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('gives each read the target pid and fd and times that never go backwards', async () => {
    const path = fileName();
    const writer = await startFixture({
      stdout: 'append',
      path,
      writes: { lines: 50, intervalMs: 5, prefix: 'line' },
    });
    const source = createFollowFileSource({ pid: writer.pid, fd: 1, fromStart: true });
    const sink = collectingSink();
    const before = Date.now() * 1000;

    await source.start(sink);
    await source.ended;

    const times = sink.events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(before - 1000);
    for (const event of sink.events) {
      expect(event).toMatchObject({ pid: writer.pid, fd: 1, full: event.bytes.length });
    }
  });

  it('follows a file deleted while the process has it open', async () => {
    const path = fileName();
    const writer = await startFixture({
      stdout: 'append',
      path,
      writes: { lines: 0, intervalMs: 5, prefix: 'line' },
    });
    await waitFor(() => lineCount(path) >= 5, 'the first lines');
    const source = createFollowFileSource({ pid: writer.pid, fd: 1 });
    const sink = collectingSink();
    await source.start(sink);
    await waitFor(() => sink.lines().length >= 10, 'lines before the delete');

    unlinkSync(path);
    const atDelete = sink.lines().length;
    await waitFor(() => sink.lines().length >= atDelete + 50, '50 lines after the delete');
    await source.stop();

    expectContiguous(lineNumbers(sink.lines()));
  });

  it('notices a truncation and follows the file from its new start', async () => {
    const path = fileName();
    const writer = await startFixture({
      stdout: 'append',
      path,
      writes: { lines: 0, intervalMs: 10, prefix: 'line', width: 100 },
    });
    await waitFor(() => lineCount(path) >= 5, 'the first lines');
    const source = createFollowFileSource({ pid: writer.pid, fd: 1 });
    const sink = collectingSink();
    await source.start(sink);
    await waitFor(() => sink.lines().length >= 10, 'lines before the truncation');

    truncateSync(path, 0);
    await waitFor(() => sink.notices.length > 0, 'the truncation notice');
    const before = lineNumbers(sink.lines()).at(-1)!;
    await waitFor(() => lineNumbers(sink.lines()).at(-1)! >= before + 20, 'lines after it');
    await source.stop();

    expect(sink.notices[0].level).toBe('warning');
    expect(sink.notices[0].message).toMatch(
      /^file truncated after \d+ bytes read; following it from its new start; /,
    );
    // Lines written in the race between the truncate and our look may be missing, not doubled.
    const numbers = lineNumbers(sink.lines());
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('follows the file dup2 puts on fd 1, from its start, with a notice', async () => {
    const a = fileName();
    const b = fileName();
    const go = temp.path(`go-${serial}`);
    const code = [
      'import os, time',
      `os.write(1, b'to a\\n')`,
      `while not os.path.exists(${JSON.stringify(go)}): time.sleep(0.01)`,
      `fd = os.open(${JSON.stringify(b)}, os.O_WRONLY | os.O_CREAT | os.O_APPEND)`,
      'os.dup2(fd, 1)',
      `os.write(1, b'to b\\n')`,
      'time.sleep(0.5)',
    ].join('\n');
    writeFileSync(a, '');
    const out = openSync(a, 'a');
    const writer = spawn('python3', ['-c', code], { stdio: ['ignore', out, 'inherit'] });
    closeSync(out);
    try {
      await waitFor(() => lineCount(a) === 1, 'the line to a');
      const source = createFollowFileSource({ pid: writer.pid!, fd: 1, fromStart: true });
      const sink = collectingSink();
      await source.start(sink);

      writeFileSync(go, '');
      const end = await source.ended;

      expect(end.reason).toBe('process exited');
      expect(sink.notices.map((n) => n.message)).toEqual([
        `fd 1 now points to ${b}; following it from its start (it was created during the capture)`,
      ]);
      expect(sink.bytes().toString()).toBe('to a\nto b\n');
    } finally {
      if (writer.exitCode === null && writer.signalCode === null) {
        writer.kill('SIGKILL');
        await new Promise((resolve) => writer.once('exit', resolve));
      }
    }
  });

  it('ends saying fd 1 was closed when the process closes it, with all it wrote', async () => {
    const path = fileName();
    const go = temp.path(`go-${serial}`);
    const code = [
      'import os, time',
      `os.write(1, b'before close\\n')`,
      `while not os.path.exists(${JSON.stringify(go)}): time.sleep(0.01)`,
      `os.write(1, b'last words\\n')`,
      'os.close(1)',
      'time.sleep(3)',
    ].join('\n');
    const out = openSync(path, 'a');
    const writer = spawn('python3', ['-c', code], { stdio: ['ignore', out, 'inherit'] });
    closeSync(out);
    try {
      await waitFor(() => lineCount(path) === 1, 'the first line');
      const source = createFollowFileSource({ pid: writer.pid!, fd: 1, fromStart: true });
      const sink = collectingSink();
      await source.start(sink);

      writeFileSync(go, '');
      const end = await source.ended;

      expect(end).toEqual({ reason: 'fd 1 was closed' });
      expect(sink.notices.map((n) => n.message)).toEqual(['fd 1 was closed']);
      expect(sink.bytes().toString()).toBe('before close\nlast words\n');
    } finally {
      writer.kill('SIGKILL');
      await new Promise((resolve) => writer.once('exit', resolve));
    }
  });

  it('keeps following a file renamed under the process', async () => {
    const path = fileName();
    const writer = await startFixture({
      stdout: 'append',
      path,
      writes: { lines: 0, intervalMs: 5, prefix: 'line' },
    });
    await waitFor(() => lineCount(path) >= 5, 'the first lines');
    const source = createFollowFileSource({ pid: writer.pid, fd: 1 });
    const sink = collectingSink();
    await source.start(sink);

    renameSync(path, `${path}.1`);
    await waitFor(() => sink.lines().length >= 40, 'lines after the rename');
    await source.stop();

    expectContiguous(lineNumbers(sink.lines()));
    expect(statSync(`${path}.1`).size).toBeGreaterThan(0);
  });

  it('refuses a pipe, which it cannot follow', async () => {
    const writer = await startFixture({ stdout: 'pipe' });
    const source = createFollowFileSource({ pid: writer.pid, fd: 1 });

    await expect(source.start(collectingSink())).rejects.toMatchObject({
      code: 'not-capturable',
    });
    expect((await source.ended).reason).toBe('could not start');
  });

  it('refuses a process that does not exist', async () => {
    const source = createFollowFileSource({ pid: 2 ** 22 + 1, fd: 1 });

    await expect(source.start(collectingSink())).rejects.toMatchObject({
      code: 'no-such-process',
    });
  });
});
