import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createReadPipeSource } from '../../../main/engine/capture/read-pipe-source';
import {
  closeAllFixtures,
  collectingSink,
  completeLines,
  isAlive,
  lineNumbers,
  startFixture,
  tempDir,
  waitFor,
} from '../../helpers/proc-fixtures';

const temp = tempDir();
afterEach(closeAllFixtures);
afterAll(() => temp.remove());

describe('read-pipe', () => {
  it('refuses without consent, naming the reader and saying output will be split', async () => {
    const writer = await startFixture({ stdout: 'pipe' });
    const source = createReadPipeSource({ pid: writer.pid, fd: 1, confirmed: false });

    const refusal = source.start(collectingSink());

    await expect(refusal).rejects.toMatchObject({
      code: 'pipe-needs-confirm',
      reason: expect.stringContaining(`python3 (pid ${writer.readerPid})`),
    });
    await expect(refusal).rejects.toMatchObject({
      reason: expect.stringContaining('output will be split between them'),
    });
    expect((await source.ended).reason).toBe('could not start');
  });

  it('refuses a terminal even when confirmed', async () => {
    const writer = await startFixture({ stdout: 'pty' });
    const source = createReadPipeSource({ pid: writer.pid, fd: 1, confirmed: true });

    await expect(source.start(collectingSink())).rejects.toMatchObject({
      code: 'not-capturable',
      reason: expect.stringMatching(/terminal \(\/dev\/pts\/\d+\)/),
    });
  });

  it('refuses what is not a pipe', async () => {
    const writer = await startFixture({ stdout: 'null' });
    const source = createReadPipeSource({ pid: writer.pid, fd: 1, confirmed: true });

    await expect(source.start(collectingSink())).rejects.toMatchObject({
      code: 'not-capturable',
    });
  });

  it('shares the lines with the real reader, none lost and none in both', async () => {
    const readerOut = temp.path('reader-1.out');
    const go = temp.path('go-1');
    const writer = await startFixture({
      stdout: 'pipe',
      readerOut,
      readerDelayMs: 30,
      writes: { lines: 150, intervalMs: 10, prefix: 'tick', waitFor: go },
    });
    const source = createReadPipeSource({ pid: writer.pid, fd: 1, confirmed: true });
    const sink = collectingSink();

    await source.start(sink);
    writeFileSync(go, '');
    const end = await source.ended;
    await waitFor(() => !isAlive(writer.readerPid!), 'the reader to see EOF');

    expect(end).toEqual({ reason: 'writer closed' });
    const ours = lineNumbers(sink.lines());
    const theirs = lineNumbers(completeLines(readFileSync(readerOut)));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((n) => theirs.includes(n))).toEqual([]);
    expect([...ours, ...theirs].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 150 }, (_, i) => i + 1),
    );
    expect(sink.notices[0]).toMatchObject({ level: 'warning' });
    expect(sink.events.every((e) => e.pid === writer.pid && e.fd === 1)).toBe(true);
  });

  it('stops by closing only its own read end: writer and reader go on', async () => {
    const readerOut = temp.path('reader-2.out');
    const writer = await startFixture({
      stdout: 'pipe',
      readerOut,
      writes: { lines: 0, intervalMs: 10, prefix: 'tick' },
    });
    const source = createReadPipeSource({ pid: writer.pid, fd: 1, confirmed: true });
    await source.start(collectingSink());

    await source.stop();
    const atStop = completeLines(readFileSync(readerOut)).length;
    await waitFor(
      () => completeLines(readFileSync(readerOut)).length >= atStop + 20,
      'the reader to keep reading',
    );

    expect(await source.ended).toEqual({ reason: 'stopped' });
    expect(isAlive(writer.pid)).toBe(true);
  });
});
