// The trace method against real writers: what it captures equals what they wrote, and the
// writers run on untouched after the capture.
import { afterEach, describe, expect, it } from 'vitest';
import type { TracedWrite } from '../../../main/engine/capture/strace-parser';
import { livingChildren, startWriter, stopAllWriters } from '../../helpers/writers';
import {
  attach,
  expectConsecutive,
  expectSliceOf,
  expectUntouched,
  lineNumbers,
  waitForEvents,
} from './trace-fixtures';

// A numbered, timestamped line every 10 ms, padded to 80 bytes so blocks fill in about 1 s.
const TICKER = `
import sys, time
n = 0
while True:
    print("%06d %.6f %s" % (n, time.time(), "x" * 56), flush=FLUSH)
    n += 1
    time.sleep(0.01)
`;

function lineCount(bytes: Buffer): number {
  return bytes.toString('latin1').split('\n').length - 1;
}

afterEach(async () => {
  await stopAllWriters();
  expect(livingChildren()).toEqual([]);
});

describe('trace source on a pipe with a real reader', () => {
  it('captures each flushed line as one write, equal to what the reader got', async () => {
    const writer = await startWriter({
      language: 'python',
      source: TICKER.replace('FLUSH', 'True'),
    });
    await writer.waitFor((out) => out.length > 800, 'first lines');

    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length >= 30);
    await source.stop();
    const end = await source.ended;
    const captured = sink.bytes(1);
    await writer.waitFor((out) => out.length > captured.length + 2000, 'lines after stop');

    expect(end).toEqual({ reason: 'stopped' });
    expect(sink.events.map((e) => lineCount(e.bytes))).toEqual(sink.events.map(() => 1));
    expect(sink.events.every((e) => e.bytes.at(-1) === 0x0a && e.full === e.bytes.length)).toBe(
      true,
    );
    expect(sink.events.every((e) => e.pid === writer.pid && e.fd === 1)).toBe(true);
    expect((sink.events[0] as TracedWrite).target).toMatch(/^pipe:\[\d+\]$/);
    expect(sink.batches.length).toBeLessThanOrEqual(sink.events.length);
    expectSliceOf(captured, writer.stdout());
    expectConsecutive(lineNumbers(writer.stdout()), 'the reader');
    await expectUntouched(writer.pid);
  });

  it('captures default buffering as blocks of about 8 KiB holding many lines', async () => {
    const writer = await startWriter({
      language: 'python',
      source: TICKER.replace('FLUSH', 'False'),
    });

    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length >= 3);
    await source.stop();
    await writer.waitFor((out) => out.includes(sink.bytes(1)), 'the reader to get the blocks');

    // CPython's text layer flushes whole lines once over 8192 bytes are pending: 8100-8192.
    const sizes = sink.events.map((e) => e.bytes.length);
    expect(sizes.every((n) => n > 8192 - 82 && n <= 8192)).toBe(true);
    expect(sink.events.every((e) => lineCount(e.bytes) >= 90)).toBe(true);
    expectSliceOf(sink.bytes(1), writer.stdout());
    expectConsecutive(lineNumbers(writer.stdout()), 'the reader');
    await expectUntouched(writer.pid);
  });

  it('joins writev buffers into one write each', async () => {
    const writer = await startWriter({
      language: 'python',
      source: `
import os, time
n = 0
while True:
    os.writev(1, [b"%06d " % n, b"head ", b"tail\\n"])
    n += 1
    time.sleep(0.005)
`,
    });

    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length >= 20);
    await source.stop();
    await writer.waitFor((out) => out.includes(sink.bytes(1)), 'the reader to get the lines');

    expect(sink.events.every((e) => /^\d{6} head tail\n$/.test(e.bytes.toString()))).toBe(true);
    expectSliceOf(sink.bytes(1), writer.stdout());
    await expectUntouched(writer.pid);
  });
});

describe('trace source on other destinations', () => {
  it('captures a writer on a pty, line by line, as the terminal got it', async () => {
    const writer = await startWriter({
      language: 'python',
      source: TICKER.replace('FLUSH', 'False'),
      pty: true,
    });
    await writer.waitFor((out) => out.length > 300, 'first lines');

    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.length >= 20);
    await source.stop();
    await writer.waitFor((out) => out.includes(sink.bytes(1)), 'the terminal to get the lines');

    // On a terminal CPython is line-buffered even without flush=True.
    expect(sink.events.map((e) => lineCount(e.bytes))).toEqual(sink.events.map(() => 1));
    expect((sink.events[0] as TracedWrite).target).toMatch(/^\/dev\/pts\/\d+$/);
    expectSliceOf(sink.bytes(1), writer.stdout());
    await expectUntouched(writer.pid);
  });

  it('captures whole 16,401-byte, 64 KiB and 10 MB writes to /dev/null', async () => {
    const writer = await startWriter({
      language: 'python',
      stdout: 'null',
      source: `
import os, time
line = bytes(65 + i % 26 for i in range(16400)) + b"\\n"
block = bytes(97 + i % 26 for i in range(65536))
huge = bytes(48 + i % 10 for i in range(10_000_000))
while True:
    os.write(1, line)
    for _ in range(16):
        os.write(1, block)
    os.write(1, b"\\n")
    os.write(1, huge)
    time.sleep(0.2)
`,
    });

    const { source, sink } = await attach(writer.pid);
    await waitForEvents(sink, (s) => s.events.some((e) => e.full === 10_000_000));
    await waitForEvents(sink, (s) => s.events.some((e) => e.full === 16401));
    await source.stop();

    const line = Buffer.from(Array.from({ length: 16400 }, (_, i) => 65 + (i % 26)).concat(10));
    const block = Buffer.from(Array.from({ length: 65536 }, (_, i) => 97 + (i % 26)));
    const huge = Buffer.from(Array.from({ length: 10_000_000 }, (_, i) => 48 + (i % 10)));
    const expected = new Map([
      [16401, line],
      [65536, block],
      [10_000_000, huge],
    ]);
    for (const event of sink.events) {
      expect(event.bytes.length).toBe(event.full);
      if (expected.has(event.full))
        expect(event.bytes.equals(expected.get(event.full)!)).toBe(true);
    }
    expect(sink.events.filter((e) => e.full === 65536).length).toBeGreaterThan(0);
    expect((sink.events[0] as TracedWrite).target).toBe('/dev/null');
    await expectUntouched(writer.pid);
  });

  it('says how much of a write it captured when a string limit cuts it', async () => {
    const writer = await startWriter({
      language: 'python',
      stdout: 'null',
      source: 'import os, time\nwhile True:\n    os.write(1, b"z" * 5000)\n    time.sleep(0.01)\n',
    });

    const { source, sink } = await attach(writer.pid, { stringLimit: 1000 });
    await waitForEvents(sink, (s) => s.events.length >= 3);
    await source.stop();

    expect(sink.events.every((e) => e.bytes.length === 1000 && e.full === 5000)).toBe(true);
    expect(sink.events[0].bytes.equals(Buffer.alloc(1000, 'z'))).toBe(true);
    await expectUntouched(writer.pid);
  });
});
