// C11: copytruncate under a real writer, with `>` (no O_APPEND) and `>>` (O_APPEND).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFollowFileSource } from '../../../main/engine/capture/follow-file-source';
import { getLocalProcess } from '../../../main/engine/discovery/local-discovery';
import { collectingSink, tempDir, waitFor } from '../../helpers/proc-fixtures';
import { pythonPath, startWriter, stopAllWriters } from '../../helpers/writers';

const temp = tempDir();
afterEach(stopAllWriters);
afterAll(() => temp.remove());

// Numbered 100-byte lines: the first 1,000 (100 KB) at once, then one every 50 ms. Each line
// also goes to the writer's own copy, the reference the capture is held to.
const LINES = `
import os, sys, time
copy = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
n = 0
while True:
    n += 1
    line = ("%07d " % n).ljust(99, ".").encode() + b"\\n"
    os.write(1, line)
    os.write(copy, line)
    if n >= 1000:
        time.sleep(0.05)
`;

/** The numbers of the complete lines captured ("0000042 ...."). */
const numbersOf = (bytes: Buffer) =>
  bytes
    .toString('latin1')
    .split('\n')
    .slice(0, -1)
    .map((line) => Number(line.slice(0, 7)));
const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Starts the writer under sh with its stdout redirected by `>` or `>>`. */
async function startLogWriter(redirect: '>' | '>>', name: string) {
  const log = temp.path(`${name}.log`);
  const copy = temp.path(`${name}.copy`);
  const writer = await startWriter({
    language: 'shell',
    source: `exec ${redirect} "$1"; exec "$2" -c "$3" "$4"`,
    args: [log, pythonPath(), LINES, copy],
  });
  return { writer, log, copy };
}

/** Runs a capture across one copytruncate at about 100 KB and returns what it saw. */
async function captureAcrossCopytruncate(redirect: '>' | '>>', name: string) {
  const { writer, log, copy } = await startLogWriter(redirect, name);
  await waitFor(() => sizeOf(log) >= 100_000, 'the first 100 KB');
  const source = createFollowFileSource({ pid: writer.pid, fd: 1, fromStart: true });
  const sink = collectingSink();
  await source.start(sink);
  await waitFor(() => sink.bytes().length >= 100_300, 'three lines more captured');

  // What logrotate's copytruncate does: copy the file, then truncate it in place.
  execFileSync('cp', [log, `${log}.1`]);
  execFileSync('truncate', ['-s', '0', log]);
  await waitFor(() => sink.notices.length > 0, 'the truncation notice');
  const before = numbersOf(sink.bytes()).at(-1)!;
  await waitFor(() => numbersOf(sink.bytes()).at(-1)! >= before + 10, '10 lines after it');
  await source.stop();

  const listed = getLocalProcess(writer.pid).fds[1];
  return { captured: sink.bytes(), notices: sink.notices, copy: readFileSync(copy), listed, sink };
}

/**
 * Checks captured = copy[0, b) + copy[c, ...), b being what was read before the truncation (the
 * notice says it) and c where the first line after it sits in the writer's copy; returns c.
 */
function asTwoSlices(captured: Buffer, copy: Buffer, truncation: string): number {
  const b = Number(/^file truncated after (\d+) bytes read/.exec(truncation)![1]);
  const after = captured.subarray(b);
  const c = (Number(after.subarray(0, 7).toString()) - 1) * 100;
  expect(sha(captured.subarray(0, b))).toBe(sha(copy.subarray(0, b)));
  expect(sha(after)).toBe(sha(copy.subarray(c, c + after.length)));
  expect(c).toBeGreaterThanOrEqual(b);
  return c;
}

describe('follow-file across a copytruncate', () => {
  it('without O_APPEND: marks the truncation, one hole marker, no doubled line', async () => {
    const { captured, notices, copy, listed } = await captureAcrossCopytruncate('>', 'trunc');

    expect(listed).toMatchObject({ kind: 'file', append: false });
    expect(captured.includes(0)).toBe(false);
    const numbers = numbersOf(captured);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(notices.map((n) => n.message.split(':')[0].split(';')[0])).toEqual([
      expect.stringMatching(/^file truncated after \d+ bytes read$/),
      expect.stringMatching(/^hole of \d+ zero bytes$/),
    ]);
    const hole = Number(/^hole of (\d+)/.exec(notices[1].message)![1]);
    const c = asTwoSlices(captured, copy, notices[0].message);
    const b = Number(/after (\d+) bytes/.exec(notices[0].message)![1]);
    // The hole spans the file as it was before the truncation: every line written till then.
    expect(hole).toBe(c);
    const missing = /; (\d+) bytes written before the truncation are missing$/.exec(
      notices[1].message,
    );
    expect(missing ? Number(missing[1]) : 0).toBe(c - b);
  });

  it('with O_APPEND: marks the truncation, no hole, no line doubled', async () => {
    const { captured, notices, copy, listed } = await captureAcrossCopytruncate('>>', 'append');

    expect(listed).toMatchObject({ kind: 'file', append: true });
    expect(notices.map((n) => n.message)).toEqual([
      expect.stringMatching(/^file truncated after \d+ bytes read; following it from its new/),
    ]);
    const numbers = numbersOf(captured);
    expect(new Set(numbers).size).toBe(numbers.length);
    asTwoSlices(captured, copy, notices[0].message);
  });
});
