// The engine as its faces use it: real writers, real strace, real files on disk.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureInfo, Diagnosis, ErrorInfo } from '../../preload/contract';
import { createEngine } from '../../main/engine/create-engine';
import type { Engine } from '../../main/engine/engine';
import { toErrorInfo } from '../../main/engine/errors';
import { procStatus, startWriter, stopAllWriters, waitUntil } from '../helpers/writers';

// A numbered, timestamped 100-byte line every 10 ms: about 8 KiB a second.
const TICKER = `
import sys, time
i = 0
while True:
    line = "%06d %.6f " % (i, time.time())
    sys.stdout.write(line + "x" * (99 - len(line)) + "\\n")
    if len(sys.argv) > 1:
        sys.stdout.flush()
    i += 1
    time.sleep(0.01)
`;

let engine: Engine;
let dataDir: string;
let outDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'fdscope-engine-'));
  outDir = mkdtempSync(join(tmpdir(), 'fdscope-out-'));
  engine = createEngine({ dataDir });
});
afterEach(async () => {
  await engine.close();
  await stopAllWriters();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

async function waitForCapture(id: string, check: (info: CaptureInfo) => boolean, what: string) {
  let info = await engine.handle('capture:get', { id });
  const deadline = Date.now() + 30_000;
  while (!check(info)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
    info = await engine.handle('capture:get', { id });
  }
  return info;
}

async function failure(promise: Promise<unknown>): Promise<ErrorInfo> {
  try {
    await promise;
  } catch (error) {
    return toErrorInfo(error);
  }
  throw new Error('expected the request to fail');
}

describe('the engine, on this machine', () => {
  it('captures a block-buffered Python writer on a pipe exactly, and diagnoses it', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER, stdout: 'pipe' });
    const { processes } = await engine.handle('processes:list', { hostId: 'local' });
    const found = processes.find((p) => p.pid === writer.pid)!;

    const started = await engine.handle('capture:start', {
      hostId: 'local',
      pid: writer.pid,
      fds: [1, 2],
      method: 'auto',
    });
    await waitForCapture(started.id, (i) => i.streams[0].writes >= 3, 'three block writes');
    const stopped = await engine.handle('capture:stop', { id: started.id });
    const path = join(outDir, 'stdout.bin');
    await engine.handle('capture:export', { id: started.id, format: 'raw', fds: [1], path });
    const diagnosis: Diagnosis[] = await engine.handle('capture:diagnosis', { id: started.id });
    const exported = readFileSync(path);
    const atStop = stopped.streams[0].bytes;
    await writer.waitFor((out) => out.length > exported.length * 2, 'the reader to read on');

    expect(found.fds[1].kind).toBe('pipe');
    expect(found.methods['1']).toMatchObject({ method: 'trace', allowed: true });
    expect(started.method).toBe('trace');
    expect(started.timing).toBe('syscall');
    expect(stopped.state).toBe('ended');
    expect(stopped.endReason).toBe('stopped by user');
    expect(exported.length).toBe(atStop);
    // The capture is one contiguous slice of what the real reader received.
    expect(writer.stdout().indexOf(exported)).toBeGreaterThanOrEqual(0);
    expect(diagnosis[0].verdict).toBe('block-buffered');
    expect(diagnosis[0].headline).toMatch(/^block-buffered: \d+-byte writes every ~/);
    expect(diagnosis[0].headline).toContain('CPython writing to a pipe: set PYTHONUNBUFFERED=1');
    expect(diagnosis[1].verdict).toBe('idle');
    expect(procStatus(writer.pid)).toMatchObject({ tracerPid: 0 });
    expect(procStatus(writer.pid)!.state).not.toBe('T');
  });

  it('serves the lines of a line-flushing writer with times, and the line at a time', async () => {
    const writer = await startWriter({
      language: 'python',
      source: TICKER,
      args: ['flush'],
      stdout: 'pipe',
    });
    const { id } = await engine.handle('capture:start', {
      hostId: 'local',
      pid: writer.pid,
      fds: [1],
      method: 'trace',
    });

    await waitForCapture(id, (i) => i.lines >= 20, 'twenty lines');
    const { total, lines } = await engine.handle('capture:lines', { id, from: 0, count: 20 });
    const at = await engine.handle('capture:line-at', { id, t: lines[10].t });
    const timeline = await engine.handle('capture:timeline', {
      id,
      t0: lines[0].t,
      t1: lines[19].t,
      buckets: 100,
    });
    const [diagnosis] = await engine.handle('capture:diagnosis', { id });

    expect(total).toBeGreaterThanOrEqual(20);
    const texts = lines.map((l) => Buffer.from(l.bytes).toString());
    const numbers = texts.map((t) => Number(t.slice(0, 6)));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
    expect(texts.every((t) => t.length === 100 && t.endsWith('\n'))).toBe(true);
    expect(lines.every((l, i) => i === 0 || l.t >= lines[i - 1].t)).toBe(true);
    expect(at.index).toBe(10);
    expect(timeline.writes).toHaveLength(20);
    expect(timeline.writes!.every((w) => w.length === 100 && w.pid === writer.pid)).toBe(true);
    expect(diagnosis.verdict).toBe('line-buffered');
  });

  it('follows a file from its end, and keeps the capture for a later engine', async () => {
    const file = join(outDir, 'app.log');
    const writer = await startWriter({
      language: 'python',
      source: TICKER,
      args: ['flush'],
      stdout: { file },
    });
    await waitUntil(() => statSync(file).size > 500, 'the writer to have written a few lines');
    const { id, method, timing } = await engine.handle('capture:start', {
      hostId: 'local',
      pid: writer.pid,
      fds: [1],
      method: 'auto',
    });

    await waitForCapture(id, (i) => i.bytes >= 2000, '2000 bytes');
    await engine.handle('capture:stop', { id });
    await engine.close();
    engine = createEngine({ dataDir });
    const [stored] = await engine.handle('capture:list', {});
    const path = join(outDir, 'followed.bin');
    await engine.handle('capture:export', { id, format: 'raw', fds: [1], path });

    expect(method).toBe('file');
    expect(timing).toBe('observed');
    expect(stored).toMatchObject({ id, state: 'ended', endReason: 'stopped by user' });
    const followed = readFileSync(path);
    expect(followed.length).toBe(stored.bytes);
    expect(readFileSync(file).indexOf(followed)).toBeGreaterThan(0);
  });

  it('says what is wrong with a request it cannot serve', async () => {
    const writer = await startWriter({ language: 'python', source: TICKER, stdout: 'pipe' });
    const start = (pid: number, method: 'pipe' | 'file' | 'auto') =>
      engine.handle('capture:start', { hostId: 'local', pid, fds: [1], method });

    const missing = await failure(start(4_000_000, 'auto'));
    const steal = await failure(start(writer.pid, 'pipe'));
    const notFile = await failure(start(writer.pid, 'file'));
    const noHost = await failure(engine.handle('processes:list', { hostId: 'elsewhere' }));
    const noCapture = await failure(engine.handle('capture:get', { id: 'nope' }));

    expect(missing.code).toBe('no-such-process');
    expect(steal.code).toBe('pipe-needs-confirm');
    expect(notFile).toMatchObject({ code: 'method-unavailable' });
    expect(notFile.reason).toContain('follow-file needs a regular file, and fd 1 is pipe');
    expect(noHost.code).toBe('no-such-host');
    expect(noCapture.code).toBe('no-such-capture');
    expect(await engine.handle('capture:list', {})).toHaveLength(1);
  });
});
