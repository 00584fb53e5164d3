// Many processes, one stream: a shell script and its children, started before and after the
// capture began, all writing to the script's stdout pipe -- some on another fd. The capture
// follows the pipe into each of them, keeps each write's pid, and takes nothing they write
// elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TracedWrite } from '../../../main/engine/capture/strace-parser';
import {
  livingChildren,
  pythonPath,
  startWriter,
  stopAllWriters,
  waitUntil,
} from '../../helpers/writers';
import { sha } from './gated-writer';
import { attach } from './trace-fixtures';

// $1: a folder. Two children start at once and wait for $1/go; the script waits for a line on
// the FIFO $1/start (a redirection of fd 0 only: dash redirects a command's fds in the shell
// itself, and its fd 1 must stay on the pipe), makes $1/go, starts two more children and a
// Python child that writes to the pipe on fd 5 with its fd 1 on /dev/null, writes lines of its
// own and waits for them all. A child's output thrown away (>/dev/null, which dash sets up
// in the shell itself) is not the stream's. Each child keeps its own copy in $1/TAG, its pid
// in $1/TAG.pid.
const SCRIPT = `
D=$1
PY=$2
child() {
  sh -c '
    exec 3>>"$1/$2"
    echo $$ > "$1/$2.pid"
    while [ ! -e "$1/go" ]; do sleep 0.01 >/dev/null; done
    i=0
    while [ $i -lt $3 ]; do echo "$2 $i"; echo "$2 $i" >&3; i=$((i + 1)); done
  ' child "$D" "$1" "$2" &
}
child early1 150
child early2 150
read -r _ < "$D/start"
touch "$D/go"
sh -c 'echo discarded' > /dev/null
child late1 150
child late2 150
"$PY" -c '
import os, sys
os.dup2(1, 5)
os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
with open(sys.argv[1] + "/py.pid", "w") as f:
    f.write(str(os.getpid()))
for i in range(150):
    os.write(5, b"py %d\\n" % i)
    os.write(1, b"elsewhere %d\\n" % i)
' "$D" &
i=0
while [ $i -lt 150 ]; do echo "main $i"; i=$((i + 1)); done
wait
`;

const dirs: string[] = [];

afterEach(async () => {
  await stopAllWriters();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  expect(livingChildren()).toEqual([]);
});

function linesOf(events: TracedWrite[], tag: string): string {
  return events
    .map((e) => e.bytes.toString())
    .join('')
    .split('\n')
    .filter((l) => l.startsWith(`${tag} `))
    .map((l) => `${l}\n`)
    .join('');
}

function sortedLines(bytes: Buffer): string {
  return bytes.toString().split('\n').filter(Boolean).sort().join('\n');
}

function numbered(tag: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('');
}

it('follows a pipe into every child of a shell script, before and after the start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdscope-streams-'));
  dirs.push(dir);
  execFileSync('mkfifo', [join(dir, 'start')]);
  const writer = await startWriter({
    language: 'shell',
    source: SCRIPT,
    args: [dir, pythonPath()],
  });
  const pidFile = (tag: string) => join(dir, `${tag}.pid`);
  const pidOf = (tag: string) => Number(readFileSync(pidFile(tag), 'utf8'));
  await waitUntil(() => ['early1', 'early2'].every((t) => existsSync(pidFile(t))), 'children');

  const { source, sink } = await attach(writer.pid);
  writeFileSync(join(dir, 'start'), '\n');
  const end = await source.ended;
  await writer.exited;

  const events = sink.events as TracedWrite[];
  expect(end.reason).toBe('process exited (status 0)');
  for (const tag of ['early1', 'early2', 'late1', 'late2']) {
    const own = readFileSync(join(dir, tag), 'utf8');
    expect(own).toBe(numbered(tag, 150));
    expect(sha(Buffer.from(linesOf(events, tag)))).toBe(sha(Buffer.from(own)));
    const mine = events.filter((e) => e.bytes.toString().startsWith(`${tag} `));
    expect(new Set(mine.map((e) => e.pid))).toEqual(new Set([pidOf(tag)]));
  }
  expect(linesOf(events, 'main')).toBe(numbered('main', 150));
  expect(linesOf(events, 'py')).toBe(numbered('py', 150));
  const py = events.filter((e) => e.bytes.toString().startsWith('py '));
  expect(py.every((e) => e.pid === pidOf('py') && e.callFd === 5 && e.fd === 1)).toBe(true);
  expect(events.some((e) => e.bytes.includes('elsewhere'))).toBe(false);
  expect(events.some((e) => e.bytes.includes('discarded'))).toBe(false);
  expect(sha(Buffer.from(sortedLines(sink.bytes(1))))).toBe(
    sha(Buffer.from(sortedLines(writer.stdout()))),
  );
  const followed = source.followed().map((p) => p.pid);
  expect(followed[0]).toBe(writer.pid);
  for (const tag of ['early1', 'early2', 'late1', 'late2', 'py']) {
    expect(followed).toContain(pidOf(tag));
  }
  expect(sink.notices.map((n) => n.message)).toContainEqual(
    expect.stringMatching(/^following 2 more processes that write to pipe:\[\d+\]: /),
  );
});
