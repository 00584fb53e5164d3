// fd 1 moved or closed while a capture runs (case C13): the capture says what happened, when,
// and goes on with the new target; nothing is lost or doubled.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TracedWrite } from '../../../main/engine/capture/strace-parser';
import { livingChildren, startWriter, stopAllWriters } from '../../helpers/writers';
import { sha } from './gated-writer';
import { attach, expectConsecutive, lineNumbers } from './trace-fixtures';

// $1: a folder. Waits for $1/go, then writes a numbered line every 10 ms: 30 to its fd 1 (file
// A), 30 to file B put on fd 1 by dup2, 30 to a pipe put there the same way, whose reader (a
// child) copies it to file C.
const MOVER = `
import os, sys, time
d = sys.argv[1]
while not os.path.exists(d + "/go"):
    time.sleep(0.005)
n = 0
def lines(count):
    global n
    for _ in range(count):
        os.write(1, b"%06d moved\\n" % n)
        n += 1
        time.sleep(0.01)
lines(30)
os.dup2(os.open(d + "/B", os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
lines(30)
r, w = os.pipe()
if os.fork() == 0:
    os.close(w)
    out = os.open(d + "/C", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    while data := os.read(r, 65536):
        os.write(out, data)
    os._exit(0)
os.close(r)
os.dup2(w, 1)
os.close(w)
lines(30)
os.close(1)
os.wait()
`;

// Waits for $1/go, writes 20 lines, closes fd 1, says so on fd 2, opens file D (which takes fd
// 1, the lowest free) and writes 20 more there.
const CLOSER = `
import os, sys, time
d = sys.argv[1]
while not os.path.exists(d + "/go"):
    time.sleep(0.005)
for n in range(40):
    if n == 20:
        os.close(1)
        os.write(2, b"closed\\n")
        time.sleep(0.05)
        assert os.open(d + "/D", os.O_WRONLY | os.O_CREAT | os.O_TRUNC) == 1
    os.write(1, b"%06d closer\\n" % n)
    time.sleep(0.01)
`;

const dirs: string[] = [];

afterEach(async () => {
  await stopAllWriters();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  expect(livingChildren()).toEqual([]);
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-moves-'));
  dirs.push(dir);
  return dir;
}

it('follows fd 1 from file A to file B to a pipe, marking each move', async () => {
  const dir = folder();
  const fileA = join(dir, 'A');
  const writer = await startWriter({
    language: 'python',
    source: MOVER,
    args: [dir],
    stdout: { file: fileA },
  });
  const { source, sink } = await attach(writer.pid);

  writeFileSync(join(dir, 'go'), '');
  const end = await source.ended;

  const events = sink.events as TracedWrite[];
  const written = Buffer.concat(['A', 'B', 'C'].map((f) => readFileSync(join(dir, f))));
  expect(end.reason).toBe('process exited (status 0)');
  expect(sha(sink.bytes(1))).toBe(sha(written));
  expect(lineNumbers(written)).toHaveLength(90);
  expectConsecutive(lineNumbers(sink.bytes(1)), 'the capture');
  const targets = [...new Set(events.map((e) => e.target))];
  expect(targets).toEqual([fileA, join(dir, 'B'), expect.stringMatching(/^pipe:\[\d+\]$/)]);
  const moves = sink.notices.filter((n) => n.message.startsWith('fd 1 now points to'));
  expect(moves.map((n) => n.message)).toEqual([
    `fd 1 now points to ${dir}/B (was ${fileA}) by dup2 in pid ${writer.pid}: ` +
      'its writes there are kept',
    `fd 1 now points to ${targets[2]} (was ${dir}/B) by dup2 in pid ${writer.pid}: ` +
      'its writes there are kept',
  ]);
  // Each move is marked before the first write to the new target, within a second of it.
  for (const [k, move] of moves.entries()) {
    const first = events.find((e) => e.target === targets[k + 1])!;
    expect(first.t - move.t).toBeGreaterThanOrEqual(0);
    expect(first.t - move.t).toBeLessThan(1_000_000);
  }
  const closed = sink.notices.filter((n) => n.message.includes('closed fd 1'));
  expect(closed.map((n) => n.message)).toEqual([
    `pid ${writer.pid} closed fd 1 (was ${targets[2]}): what it writes to fd 1 from now on is lost`,
  ]);
});

it('says when fd 1 is closed, and follows the file opened on it after', async () => {
  const dir = folder();
  const writer = await startWriter({ language: 'python', source: CLOSER, args: [dir] });
  const { source, sink } = await attach(writer.pid);

  writeFileSync(join(dir, 'go'), '');
  const end = await source.ended;
  await writer.exited;

  const events = sink.events as TracedWrite[];
  const written = Buffer.concat([writer.stdout(), readFileSync(join(dir, 'D'))]);
  expect(end.reason).toBe('process exited (status 0)');
  expect(sha(sink.bytes(1))).toBe(sha(written));
  expectConsecutive(lineNumbers(sink.bytes(1)), 'the capture');
  expect(lineNumbers(sink.bytes(1))).toHaveLength(40);
  const pipe = events[0].target!;
  expect(sink.notices.map((n) => n.message)).toEqual([
    `pid ${writer.pid} closed fd 1 (was ${pipe}): what it writes to fd 1 from now on is lost`,
    `fd 1 now points to ${dir}/D in pid ${writer.pid}: its writes there are kept`,
  ]);
  expect(sink.notices[0].level).toBe('warning');
  expect(writer.stderr().toString()).toBe('closed\n');
});
