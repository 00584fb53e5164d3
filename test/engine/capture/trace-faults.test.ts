// Non-destruction: whatever ends a capture -- a stop, strace killed, fdscope itself killed --
// the target runs on as before (not stopped, no tracer, its write rate back), and its real
// reader has every line, none doubled.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  livingChildren,
  procStatus,
  startWriter,
  stopAllWriters,
  waitUntil,
  type Writer,
} from '../../helpers/writers';
import { attach, expectConsecutive, lineNumbers, waitForEvents } from './trace-fixtures';

// Bursts of 50 numbered lines, 2 ms apart, and every 200 ms the lines written since on stderr:
// tracing (two stops a call) shows as a rate several times lower.
const BURSTS = `
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9;
}
int main(void) {
  char line[16];
  long n = 0, since = 0;
  double mark = now();
  for (;;) {
    for (int i = 0; i < 50; i++, n++, since++) write(1, line, sprintf(line, "%09ld\\n", n));
    usleep(2000);
    double t = now();
    if (t - mark >= 0.2) {
      fprintf(stderr, "%.0f\\n", since / (t - mark));
      since = 0;
      mark = t;
    }
  }
}
`;

// Writes a line at start and one for each SIGUSR1, nothing else.
const QUIET = `
import os, signal
signal.signal(signal.SIGUSR1, lambda *_: os.write(1, b"usr1\\n"))
os.write(1, b"ready\\n")
while True:
    signal.pause()
`;

// Ended: no such process, or a zombie its new parent has yet to reap.
function gone(pid: number): boolean {
  const status = procStatus(pid);
  return status === null || status.state === 'Z';
}

// The built CLI capturing pid's stdout into nothing.
function startTap(pid: number) {
  const child = spawn(process.execPath, ['bin/fdscope.js', 'tap', String(pid)], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, FDSCOPE_LOG: 'off' },
  });
  return { child, closed: new Promise((resolve) => child.once('close', resolve)) };
}

afterEach(async () => {
  await stopAllWriters();
  expect(livingChildren()).toEqual([]);
});

// The median of the rates the writer reports over the next ms milliseconds.
async function rateOver(writer: Writer, ms: number): Promise<number> {
  const before = writer.stderr().toString().split('\n').length;
  await new Promise((r) => setTimeout(r, ms));
  const rates = writer.stderr().toString().split('\n').slice(before, -1).map(Number);
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

// Attaches (capture returns the fault to run), then checks the writer was slowed while traced
// and runs on as before once the fault has ended the capture.
type Capture = (writer: Writer) => Promise<() => Promise<void>>;

async function expectSurvives(capture: Capture): Promise<void> {
  const writer = await startWriter({ language: 'c', source: BURSTS });
  const untraced = await rateOver(writer, 1000);
  const fault = await capture(writer);
  const traced = await rateOver(writer, 800);

  await fault();

  await waitUntil(() => procStatus(writer.pid)?.tracerPid === 0, 'no tracer', 8_000);
  expect(procStatus(writer.pid)!.state).not.toMatch(/[tTZ]/);
  const after = await rateOver(writer, 1000);
  await writer.stop();
  expect(traced / untraced).toBeLessThan(0.6);
  expect(after / untraced).toBeGreaterThan(0.6);
  const numbers = lineNumbers(writer.stdout());
  expect(numbers[0]).toBe(0);
  expectConsecutive(numbers, 'the real reader');
}

describe('a traced writer after the capture ends', () => {
  it('runs on at its own rate after a stop', async () => {
    await expectSurvives(async (writer) => {
      const { source, sink } = await attach(writer.pid);
      await waitForEvents(sink, (s) => s.events.length > 100);
      return () => source.stop();
    });
  });

  it('runs on at its own rate when strace is killed with SIGKILL', async () => {
    await expectSurvives(async (writer) => {
      const { source, sink } = await attach(writer.pid);
      await waitForEvents(sink, (s) => s.events.length > 100);
      return async () => {
        const strace = livingChildren().find((c) => c.comm === 'strace')!;
        process.kill(strace.pid, 'SIGKILL');
        expect((await source.ended).reason).toBe('strace was killed by SIGKILL');
      };
    });
  });
});

describe('a traced writer when fdscope itself dies', () => {
  beforeAll(() => {
    if (!existsSync('out/main/cli.js'))
      throw new Error('out/main/cli.js is missing: run npm run build');
  });

  it('runs on at its own rate when fdscope tap is killed with SIGKILL', async () => {
    let stracePid = 0;
    await expectSurvives(async (writer) => {
      const tap = startTap(writer.pid);
      await waitUntil(() => (procStatus(writer.pid)?.tracerPid ?? 0) > 0, 'the tap to attach');
      stracePid = procStatus(writer.pid)!.tracerPid;
      return async () => {
        tap.child.kill('SIGKILL');
        await tap.closed;
      };
    });

    await waitUntil(() => gone(stracePid), 'strace to end', 3_000);
  });

  // A quiet process is the hard case: strace, orphaned, would die of a broken pipe only at the
  // next write, and a writer that never writes would stay traced for good.
  it('is detached by the watchdog while it writes nothing', async () => {
    const writer = await startWriter({ language: 'python', source: QUIET });
    const tap = startTap(writer.pid);
    await waitUntil(() => (procStatus(writer.pid)?.tracerPid ?? 0) > 0, 'the tap to attach');
    const stracePid = procStatus(writer.pid)!.tracerPid;

    tap.child.kill('SIGKILL');
    await tap.closed;

    await waitUntil(() => procStatus(writer.pid)?.tracerPid === 0, 'no tracer', 3_000);
    expect(procStatus(writer.pid)!.state).not.toMatch(/[tTZ]/);
    await waitUntil(() => gone(stracePid), 'strace to end', 3_000);
    process.kill(writer.pid, 'SIGUSR1');
    await writer.waitFor((out) => out.toString() === 'ready\nusr1\n', 'the line after the kill');
  });
});
