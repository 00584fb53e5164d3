// Every way a process puts bytes on its stdout, under trace: the capture equals the writer's own
// copy of what the kernel accepted, byte for byte, and its real reader lost nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TracedWrite } from '../../../main/engine/capture/strace-parser';
import { livingChildren, stopAllWriters, type Destination } from '../../helpers/writers';
import { sha, startGated, type GatedMode, type GatedWriter } from './gated-writer';
import { attach } from './trace-fixtures';

const gated: GatedWriter[] = [];

afterEach(async () => {
  await stopAllWriters();
  gated.splice(0).forEach((g) => g.remove());
  expect(livingChildren()).toEqual([]);
});

// Attaches, lets the writer go, and waits for it to finish its workload and exit.
async function captureWhole(mode: GatedMode, rounds: number, stdout: Destination) {
  const g = await startGated(mode, rounds, stdout);
  gated.push(g);
  const { source, sink } = await attach(g.writer.pid);
  g.go();
  const end = await source.ended;
  await g.writer.exited;
  return { g, sink, end, events: sink.events as TracedWrite[] };
}

function calls(events: TracedWrite[]): Set<string> {
  return new Set(events.map((e) => e.call));
}

describe('trace source, every write call', () => {
  it('captures write, writev, vmsplice to a pipe; sendfile and splice become gaps', async () => {
    const { g, sink, end, events } = await captureWhole('pipe', 150, 'pipe');

    expect(end.reason).toBe('process exited (status 0)');
    expect(calls(events)).toEqual(new Set(['write', 'writev', 'vmsplice', 'sendfile', 'splice']));
    expect(sha(sink.bytes(1))).toBe(sha(g.seen()));
    expect(sha(g.writer.stdout())).toBe(sha(g.all()));
    const opaque = events.filter((e) => e.opaque);
    expect(opaque.every((e) => e.bytes.length === 0 && e.full > 0)).toBe(true);
    const hidden = opaque.reduce((n, e) => n + e.full, 0);
    expect(hidden).toBe(g.all().length - g.seen().length);
    const gaps = sink.notices.filter((n) => n.message.includes('not visible to the tracer'));
    const noticed = gaps.map((n) => Number(/gap: (\d+) bytes/.exec(n.message)![1]));
    expect(noticed.reduce((a, b) => a + b, 0)).toBe(hidden);
    expect(gaps.every((n) => n.level === 'warning')).toBe(true);
    expect(events.every((e) => e.pid === g.writer.pid && e.fd === 1)).toBe(true);
  });

  it('captures write, writev, pwrite64 and pwritev to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdscope-calls-'));
    const file = join(dir, 'out');
    try {
      const { g, sink, events } = await captureWhole('file', 150, { file });

      expect(calls(events)).toEqual(new Set(['write', 'writev', 'pwrite64', 'pwritev']));
      expect(sha(sink.bytes(1))).toBe(sha(g.all()));
      expect(sha(readFileSync(file))).toBe(sha(g.all()));
      expect(events.every((e) => e.pid === g.writer.pid && e.target === file)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('captures write, sendto and sendmsg to a socket', async () => {
    const { g, sink, events } = await captureWhole('socket', 150, 'socket');

    expect(calls(events)).toEqual(new Set(['write', 'sendto', 'sendmsg']));
    expect(sha(sink.bytes(1))).toBe(sha(g.all()));
    expect(sha(g.writer.stdout())).toBe(sha(g.all()));
    expect(events.every((e) => e.pid === g.writer.pid && /^socket:\[\d+\]$/.test(e.target!))).toBe(
      true,
    );
  });

  it('captures only the bytes a non-blocking writer got into a full pipe', async () => {
    const g = await startGated('nonblock', 2_000_000, 'pipe', { paused: true });
    gated.push(g);
    const { source, sink } = await attach(g.writer.pid);
    g.go();
    await new Promise((r) => setTimeout(r, 300));
    g.writer.resume();
    await source.ended;
    await g.writer.exited;

    const [, eagain, shorts] = /eagain (\d+) short (\d+)/.exec(g.writer.stderr().toString())!;
    expect(Number(eagain)).toBeGreaterThan(0);
    expect(Number(shorts)).toBeGreaterThan(0);
    expect(sink.events.some((e) => e.full < 100_000)).toBe(true);
    expect(sink.events.every((e) => e.bytes.length === e.full)).toBe(true);
    expect(sink.bytes(1).length).toBe(2_000_000);
    expect(sha(sink.bytes(1))).toBe(sha(g.all()));
    expect(sha(g.writer.stdout())).toBe(sha(g.all()));
  });
});
