// The parser following streams by their targets: any process, any fd; the target process's
// fds followed as they move; closes and programs started reported.
import { describe, expect, it } from 'vitest';
import { StraceParser, type ParseBatch } from '../../../main/engine/capture/strace-parser';

// pid 100 is the target (with thread 101); 200 is a child of its shell script.
function parse(lines: string[], targets: [number, string][] = [[1, 'pipe:[9]']]): ParseBatch {
  const parser = new StraceParser({
    fds: targets.map(([fd]) => fd),
    defaultPid: 100,
    targets: new Map(targets),
    isOwner: (pid) => pid === 100 || pid === 101,
  });
  const a = parser.push(Buffer.from(lines.join('\n') + '\n', 'latin1'));
  const b = parser.end();
  return {
    writes: [...a.writes, ...b.writes],
    exits: [...a.exits, ...b.exits],
    changes: [...a.changes, ...b.changes],
    execs: [...a.execs, ...b.execs],
  };
}

function writes(batch: ParseBatch) {
  return batch.writes.map((w) => [w.pid, w.fd, w.callFd, w.bytes.toString()]);
}

describe('parser following a stream by its target', () => {
  it('captures writes to the stream on any fd by any process, and no others', () => {
    const batch = parse([
      '100 1.0 write(1<pipe:[9]>, "a", 1) = 1',
      '200 1.1 write(5<pipe:[9]>, "b", 1) = 1',
      '200 1.2 write(1</tmp/f>, "c", 1) = 1',
      '101 1.3 write(1<pipe:[9]>, "d", 1) = 1',
      '300 1.4 write(1<pipe:[99]>, "e", 1) = 1',
    ]);

    expect(writes(batch)).toEqual([
      [100, 1, 1, 'a'],
      [200, 1, 5, 'b'],
      [101, 1, 1, 'd'],
    ]);
  });

  it('follows a dup2 onto a captured fd of the target process, and keeps the old target', () => {
    const batch = parse([
      '100 1.0 dup2(3</tmp/b>, 1<pipe:[9]>) = 1</tmp/b>',
      '100 1.1 write(1</tmp/b>, "a", 1) = 1',
      '200 1.2 write(1<pipe:[9]>, "b", 1) = 1',
      '200 1.3 dup2(4</tmp/c>, 1<pipe:[9]>) = 1</tmp/c>',
      '200 1.4 write(1</tmp/c>, "c", 1) = 1',
    ]);

    expect(batch.changes).toEqual([
      { t: 1_000_000, pid: 100, fd: 1, from: 'pipe:[9]', to: '/tmp/b', call: 'dup2' },
    ]);
    expect(writes(batch)).toEqual([
      [100, 1, 1, 'a'],
      [200, 1, 1, 'b'],
    ]);
  });

  it('reports a close of a captured fd and a reopen found by the next write', () => {
    const batch = parse([
      '100 1.0 close(1<pipe:[9]>) = 0',
      '100 1.1 write(1</tmp/new>, "a", 1) = 1',
      '100 1.2 close(7</tmp/x>) = 0',
      '200 1.3 close(1<pipe:[9]>) = 0',
    ]);

    expect(batch.changes.map((c) => [c.pid, c.fd, c.from, c.to, c.call])).toEqual([
      [100, 1, 'pipe:[9]', null, 'close'],
      [100, 1, null, '/tmp/new', 'write'],
    ]);
    expect(writes(batch)).toEqual([[100, 1, 1, 'a']]);
  });

  it('joins a dup3 printed in two halves and ignores failed calls', () => {
    const batch = parse([
      '101 1.0 dup3(3</tmp/b>, 1<pipe:[9]>, O_CLOEXEC <unfinished ...>',
      '100 1.1 dup2(9, 1<pipe:[9]>) = -1 EBADF (Bad file descriptor)',
      '101 1.2 <... dup3 resumed>) = 1</tmp/b>',
    ]);

    expect(batch.changes.map((c) => [c.pid, c.to, c.call])).toEqual([[101, '/tmp/b', 'dup3']]);
  });

  it('reports programs started by execve, not the attempts that failed', () => {
    const batch = parse([
      '200 1.0 execve("/usr/local/bin/date", ["date"], 0x7ffd /* 9 vars */) = -1 ENOENT',
      '200 1.1 execve("/usr/bin/date", ["date"], 0x7ffd /* 9 vars */) = 0',
      '100 1.2 execve("/bin/sle\\x65p", ["sleep", "1"], 0x7ffd /* 9 vars */ <unfinished ...>',
      '100 1.3 <... execve resumed>) = 0',
    ]);

    expect(batch.execs).toEqual([
      { t: 1_100_000, pid: 200, program: '/usr/bin/date' },
      { t: 1_200_000, pid: 100, program: '/bin/sleep' },
    ]);
  });

  it('keeps fd 1 and fd 2 apart when both point to one pipe (2>&1)', () => {
    const batch = parse(
      [
        '100 1.0 write(2<pipe:[9]>, "e", 1) = 1',
        '100 1.1 write(1<pipe:[9]>, "o", 1) = 1',
        '200 1.2 write(6<pipe:[9]>, "c", 1) = 1',
      ],
      [
        [1, 'pipe:[9]'],
        [2, 'pipe:[9]'],
      ],
    );

    expect(writes(batch)).toEqual([
      [100, 2, 2, 'e'],
      [100, 1, 1, 'o'],
      [200, 1, 6, 'c'],
    ]);
    expect(batch.changes).toEqual([]);
  });
});
