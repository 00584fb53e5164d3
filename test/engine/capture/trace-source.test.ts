// The trace method against real writers: what it captures equals what they wrote, and the
// writers run on untouched after the capture.
import { afterEach, describe, expect, it } from 'vitest';
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

    const { source, sink } = await attach(writer.pid).catch((e) => {
      throw new Error(e.oneLine() + ' | ' + e.details);
    });
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
    expectSliceOf(captured, writer.stdout());
    expectConsecutive(lineNumbers(writer.stdout()), 'the reader');
    await expectUntouched(writer.pid);
  });
});
