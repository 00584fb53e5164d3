// C13: fd 1 moved while a follow-file capture runs: file A, then file B (dup2), then a pipe.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../../preload/contract';
import { createFollowFileSource } from '../../../main/engine/capture/follow-file-source';
import { createEngine } from '../../../main/engine/create-engine';
import { FdscopeError } from '../../../main/engine/errors';
import { fileThenTrace } from '../../../main/engine/session/file-then-trace';
import { collectingSink } from '../../helpers/proc-fixtures';
import type { Engine } from '../../../main/engine/engine';
import { procStatus, startWriter, stopAllWriters, waitUntil } from '../../helpers/writers';

// "tick N" every 50 ms, each also in the writer's own copy; lines 1-20 to file A (its fd 1 at
// start), 21-40 to file B put on fd 1 by dup2, then to a pipe whose reader (cat) saves them.
const MOVER = `
import os, subprocess, sys, time
a, b, copy, read = sys.argv[1:5]
mine = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
n = 0
def tick():
    global n
    n += 1
    line = b"tick %d\\n" % n
    os.write(1, line)
    os.write(mine, line)
    time.sleep(0.05)
while not os.path.exists(a + ".go"):
    time.sleep(0.01)
for _ in range(20): tick()
os.dup2(os.open(b, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 1)
for _ in range(20): tick()
reader = subprocess.Popen(["sh", "-c", 'exec cat > "$0"', read], stdin=subprocess.PIPE)
os.dup2(reader.stdin.fileno(), 1)
for _ in range(30): tick()
time.sleep(30)
`;

let engine: Engine;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdscope-move-'));
  engine = createEngine({ dataDir: join(dir, 'data') });
});
afterEach(async () => {
  await engine.close();
  await stopAllWriters();
  rmSync(dir, { recursive: true, force: true });
});

const ticks = (bytes: Buffer) =>
  bytes
    .toString()
    .split('\n')
    .slice(0, -1)
    .map((l) => Number(l.slice(5)));

describe('a follow-file capture whose fd 1 moves', () => {
  it('follows file B after file A, then switches to tracing the pipe, saying each', async () => {
    const [a, b, copy, read] = ['a.log', 'b.log', 'copy', 'read'].map((n) => join(dir, n));
    const writer = await startWriter({
      language: 'python',
      source: MOVER,
      args: [a, b, copy, read],
      stdout: { file: a },
    });
    const started = await engine.handle('capture:start', {
      hostId: 'local',
      pid: writer.pid,
      fds: [1],
      method: 'auto',
      fromStart: true,
    });
    writeFileSync(`${a}.go`, '');

    await untilLastLine(started.id, 'tick 70\n');
    const stopped = await engine.handle('capture:stop', { id: started.id });
    const out = join(dir, 'raw.bin');
    await engine.handle('capture:export', { id: started.id, format: 'raw', fds: [1], path: out });

    expect(started).toMatchObject({ method: 'file', timing: 'observed' });
    expect(stopped).toMatchObject({ method: 'trace', timing: 'syscall' });
    // (The info notice names the writer's relay, which holds file A too.)
    const messages = stopped.notices.filter((n) => n.level !== 'info').map((n) => n.message);
    expect(messages).toEqual([
      `fd 1 now points to ${b}; following it from its start (it was created during the capture)`,
      expect.stringMatching(/^fd 1 now points to pipe:\[\d+\], which follow-file cannot read$/),
      expect.stringMatching(/^switched to tracing \(strace\) as fd 1 now points to pipe:\[\d+\]; /),
    ]);
    const captured = readFileSync(out);
    const numbers = ticks(captured);
    // Files A and B whole; then, after the switch, every tick from the first one traced.
    expect(numbers.slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const traced = numbers.slice(40);
    expect(traced[0]).toBeGreaterThan(40);
    expect(traced).toEqual(traced.map((_, i) => traced[0] + i));
    const mine = readFileSync(copy);
    expect(mine.includes(captured.subarray(ticksBytes(40)))).toBe(true);
    expect(captured.subarray(0, ticksBytes(40)).equals(mine.subarray(0, ticksBytes(40)))).toBe(
      true,
    );
    // The pipe's real reader lost nothing, and the writer runs on untraced.
    await waitUntil(() => ticks(readFileSync(read)).length >= 30, 'the reader to have 30 ticks');
    expect(ticks(readFileSync(read))).toEqual(Array.from({ length: 30 }, (_, i) => i + 41));
    expect(procStatus(writer.pid)?.tracerPid).toBe(0);
  });
});

describe('fileThenTrace', () => {
  it('ends saying to capture again with trace when tracing is refused', async () => {
    const [a, b, copy, read] = ['a.log', 'b.log', 'copy', 'read'].map((n) => join(dir, n));
    const writer = await startWriter({
      language: 'python',
      source: MOVER,
      args: [a, b, copy, read],
      stdout: { file: a },
    });
    const refusal = new FdscopeError('strace-missing', 'unable to capture pid 1', {
      reason: 'strace is not installed: install it (apt install strace)',
    });
    const source = fileThenTrace([createFollowFileSource({ pid: writer.pid, fd: 1 })], {
      trace: () => {
        throw refusal;
      },
    });
    const sink = collectingSink();
    await source.start(sink);

    writeFileSync(`${a}.go`, '');
    const end = await source.ended;

    expect(end.reason).toMatch(/^fd 1 now points to pipe:\[\d+\]$/);
    expect(end.error).toBe(refusal);
    expect(sink.notices.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(
        new RegExp(
          '^fd 1 now points to pipe:\\[\\d+\\]: capture it again with trace ' +
            '\\(unable to capture pid 1: strace is not installed',
        ),
      ),
    });
    expect(source.method).toBe('file');
    expect(ticks(sink.bytes())).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

/** Polls the capture until its last line reads `text`. */
async function untilLastLine(id: string, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const info: CaptureInfo = await engine.handle('capture:get', { id });
    const from = Math.max(0, info.lines - 1);
    const last = await engine.handle('capture:lines', { id, from, count: 1 });
    if (Buffer.from(last.lines[0]?.bytes ?? []).toString() === text) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the line ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Bytes of the lines "tick 1" to "tick n". */
function ticksBytes(n: number): number {
  let total = 0;
  for (let i = 1; i <= n; i++) total += `tick ${i}\n`.length;
  return total;
}
