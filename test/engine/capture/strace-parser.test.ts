// The parser on hand-made lines for each shape strace prints, and on real recordings cut into
// chunks at every byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StraceParser, type ParseBatch } from '../../../main/engine/capture/strace-parser';

function parse(text: string | Buffer, fds = [1, 2], defaultPid = 100): ParseBatch {
  const parser = new StraceParser({ fds, defaultPid });
  const a = parser.push(Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'));
  const b = parser.end();
  return {
    writes: [...a.writes, ...b.writes],
    exits: [...a.exits, ...b.exits],
    changes: [...a.changes, ...b.changes],
    execs: [...a.execs, ...b.execs],
  };
}

// The escaping of strace --strings-in-hex=non-ascii-chars.
function straceEscape(data: Buffer): string {
  const named: Record<number, string> = { 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
  let out = '';
  for (const b of data) {
    if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (named[b]) out += '\\' + named[b];
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out;
}

function texts(batch: ParseBatch): string[] {
  return batch.writes.map((w) => w.bytes.toString('latin1'));
}

describe('strace line parsing', () => {
  it('decodes every C escape strace prints, hex and octal', () => {
    const line = String.raw`write(1, "a\n\t\r\v\f\\\"\x00\xff\x7f\0\33\177\1234", 16) = 16` + '\n';

    const [w] = parse(line).writes;

    expect([...w.bytes]).toEqual([
      0x61, 10, 9, 13, 11, 12, 0x5c, 0x22, 0, 0xff, 0x7f, 0, 0o33, 0o177, 0o123, 0x34,
    ]);
    expect(w.full).toBe(16);
  });

  it('decodes long strings of any bytes exactly as strace escaped them', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const size of [600, 5000, 70000]) {
      // Mostly text with runs of every length, and quotes, backslashes and binary among them.
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) {
        const r = random();
        data[i] = r < 0.9 ? 0x61 + (i % 26) : r < 0.93 ? 0x22 : r < 0.96 ? 0x5c : (r * 2560) & 255;
      }

      const [w] = parse(`write(1, "${straceEscape(data)}", ${size}) = ${size}\n`).writes;

      expect(w.bytes.equals(data)).toBe(true);
    }
  });

  it('takes the time of the call in microseconds and the pid from either prefix', () => {
    const batch = parse(
      '1700000000.000001 write(1, "a", 1) = 1\n' +
        '[pid  4242] 1700000000.123456 write(1, "b", 1) = 1\n' +
        '4243  1700000001.5 write(2, "c", 1) = 1\n',
    );

    expect(batch.writes.map((w) => [w.pid, w.t, w.fd])).toEqual([
      [100, 1700000000000001, 1],
      [4242, 1700000000123456, 1],
      [4243, 1700000001500000, 2],
    ]);
  });

  it('keeps dots and marks inside the string as data, and "..." after it as a cut', () => {
    const batch = parse(
      'write(1, "a... \\"...\\" = 3) <unfinished ...>", 32) = 32\n' +
        'write(1, "abc"..., 9000) = 9000\n',
    );

    expect(texts(batch)).toEqual(['a... "..." = 3) <unfinished ...>', 'abc']);
    expect(batch.writes.map((w) => w.full)).toEqual([32, 9000]);
  });

  it('gives nothing for failed, interrupted and empty writes', () => {
    const batch = parse(
      'write(1, "x", 1) = -1 EAGAIN (Resource temporarily unavailable)\n' +
        'write(1, "y", 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n' +
        'write(1, "z", 1) = -1 EINTR (Interrupted system call)\n' +
        'write(1, "", 0) = 0\n' +
        'write(1, "w", 1) = ?\n',
    );

    expect(batch.writes).toEqual([]);
  });

  it('takes only the first ret bytes of a short write', () => {
    const [w] = parse('write(1, "abcdef", 6) = 4\n').writes;

    expect(w.bytes.toString()).toBe('abcd');
    expect(w.full).toBe(4);
  });

  it('joins a call printed in halves: bytes from the first, count from the second', () => {
    const batch = parse(
      '11 1.000001 write(1, "one\\n", 4 <unfinished ...>\n' +
        '12 1.000002 write(1, "two\\n", 4 <unfinished ...>\n' +
        '12 1.000003 <... write resumed>) = 2\n' +
        '13 1.000004 writev(1, [{iov_base="th", iov_len=2}, {iov_base="ree", iov_len=3}], 2 ' +
        '<unfinished ...>\n' +
        '11 1.000005 <... write resumed>) = 4\n' +
        '13 1.000006 <... writev resumed>) = -1 EINTR (Interrupted system call)\n',
    );

    expect(batch.writes.map((w) => [w.pid, w.t, w.bytes.toString(), w.full])).toEqual([
      [12, 1000002, 'tw', 2],
      [11, 1000001, 'one\n', 4],
    ]);
  });

  it('drops calls whose result strace never saw: cut by detach or by the exit', () => {
    const batch = parse(
      '11 1.0 write(1, "a", 1 <unfinished ...>\n' +
        '11 1.1 <... write resumed>) = 1\n' +
        '15 1.2 write(1, "d", 1 <unfinished ...>\n' +
        '15 1.2 <... write resumed> <unfinished ...>) = ?\n' +
        '12 1.3 write(1, "b", 1 <unfinished ...>\n' +
        '12 1.4 <... write resumed> <detached ...>\n' +
        '13 1.5 write(1, "c", 1 <detached ...>\n' +
        '14 1.6 <... write resumed>) = 7\n',
    );

    expect(texts(batch)).toEqual(['a']);
  });

  it('concatenates iovecs, then cuts to the count written', () => {
    const batch = parse(
      'writev(1, [{iov_base="ab", iov_len=2}, {iov_base="cd\\n", iov_len=3}], 2) = 4\n' +
        'pwritev2(1, [{iov_base="x", iov_len=1}], 1, -1, RWF_APPEND) = 1\n' +
        'vmsplice(1, [{iov_base="vm", iov_len=2}], 1, 0) = 2\n',
    );

    expect(texts(batch)).toEqual(['abcd', 'x', 'vm']);
  });

  it('stops at an iovec strace cut, since later ones would not follow on', () => {
    const [w] = parse(
      'writev(1, [{iov_base="aaaa"..., iov_len=9}, {iov_base="bbbb"..., iov_len=9}], 2) = 18\n',
    ).writes;

    expect(w.bytes.toString()).toBe('aaaa');
    expect(w.full).toBe(18);
  });

  it('reads the offset form of pwrite64 and the strings of sendto and sendmsg', () => {
    const batch = parse(
      'pwrite64(1</tmp/f>, "pw", 2, 100) = 2\n' +
        'sendto(1<socket:[9]>, "st", 2, MSG_NOSIGNAL, NULL, 0) = 2\n' +
        'sendmsg(1<socket:[9]>, {msg_name={sa_family=AF_UNIX, sun_path="x\\" msg_iov=[{iov_base=' +
        '\\"no\\""}, msg_namelen=5, msg_iov=[{iov_base="sm", iov_len=2}], msg_iovlen=1, ' +
        'msg_controllen=0, msg_flags=0}, 0) = 2\n',
    );

    expect(texts(batch)).toEqual(['pw', 'st', 'sm']);
    expect(batch.writes.map((w) => w.target)).toEqual(['/tmp/f', 'socket:[9]', 'socket:[9]']);
  });

  it('counts bytes that splice and sendfile wrote without showing them', () => {
    const batch = parse(
      'sendfile(1<pipe:[5]>, 3</etc/hosts>, NULL, 100) = 60\n' +
        'splice(3<pipe:[7]>, NULL, 1<pipe:[5]>, NULL, 8, 0) = 8\n' +
        'splice(1<pipe:[5]>, NULL, 4<pipe:[7]>, NULL, 8, 0) = 8\n',
    );

    expect(batch.writes.map((w) => [w.fd, w.bytes.length, w.full])).toEqual([
      [1, 0, 60],
      [1, 0, 8],
    ]);
  });

  it('decodes -y targets with escaped brackets and -yy nested details', () => {
    const batch = parse(
      'write(1</tmp/a\\x3cb\\x3e, c (d)>, "x", 1) = 1\n' +
        'write(2</dev/null<char 1:3>>, "y", 1) = 1\n',
    );

    expect(batch.writes.map((w) => w.target)).toEqual(['/tmp/a<b>, c (d)', '/dev/null<char 1:3>']);
  });

  it('emits only the fds asked for', () => {
    const batch = parse('write(1, "a", 1) = 1\nwrite(2, "b", 1) = 1\nwrite(3, "c", 1) = 1\n', [2]);

    expect(texts(batch)).toEqual(['b']);
  });

  it('reports exits and deaths by signal, with their pids', () => {
    const batch = parse(
      '7 1.0 +++ exited with 3 +++\n' +
        '8 1.5 +++ killed by SIGSEGV (core dumped) +++\n' +
        '9 2.0 +++ killed by SIGKILL +++\n' +
        '10 2.5 +++ superseded by execve in pid 7 +++\n',
    );

    expect(batch.exits).toEqual([
      { pid: 7, t: 1000000, status: 3, signal: null, coreDumped: false },
      { pid: 8, t: 1500000, status: null, signal: 'SIGSEGV', coreDumped: true },
      { pid: 9, t: 2000000, status: null, signal: 'SIGKILL', coreDumped: false },
    ]);
  });

  it('keeps, and marks, the bytes of a write whose process was killed before it returned', () => {
    const batch = parse(
      '7 1.0 write(1, "last\\n", 5 <unfinished ...>\n7 1.1 +++ killed by SIGKILL +++\n',
    );

    expect(texts(batch)).toEqual(['last\n']);
    expect(batch.exits).toEqual([
      { pid: 7, t: 1_100_000, status: null, signal: 'SIGKILL', coreDumped: false, inFlight: 5 },
    ]);
  });

  it('keeps the bytes of a write whose result strace could not know, as its process died', () => {
    const batch = parse(
      '7 1.0 write(1, "a\\n", 2) = ?\n7 1.1 +++ killed by SIGKILL +++\n' +
        '8 1.0 write(1, "b\\n", 2) = ? <unavailable>\n8 1.1 +++ killed by SIGKILL +++\n' +
        '9 1.0 write(1, "c\\n", 2) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n',
    );

    expect(texts(batch)).toEqual(['a\n', 'b\n']);
    expect(batch.exits.map((e) => e.inFlight)).toEqual([2, 2]);
  });

  it('parses a last line that came without its newline when the output ends', () => {
    expect(texts(parse('write(1, "tail", 4) = 4'))).toEqual(['tail']);
  });

  it('counts every call, on any fd, as a cost to the target', () => {
    const parser = new StraceParser({ fds: [1], defaultPid: 1 });

    parser.push(Buffer.from('write(3, "a", 1) = 1\nwrite(1, "b", 1 <unfinished ...>\n'));
    parser.push(Buffer.from('<... write resumed>) = 1\nopenat(AT_FDCWD, "x", O_RDONLY) = 3\n'));

    expect(parser.stats.calls).toBe(2);
    expect(parser.stats.unknownLines).toBe(1);
  });
});

describe('strace output cut into chunks', () => {
  const samples = ['calls', 'threads', 'nonblock'].map((name) => ({
    name,
    trace: readFileSync(`test/golden/strace/${name}.strace`).subarray(0, 6000),
  }));

  it.each(samples)('gives the same events for $name split at every byte', ({ trace }) => {
    const whole = JSON.stringify(parse(trace, [1, 3, 4, 5, 7, 10]));

    for (let at = 1; at < trace.length; at++) {
      const parser = new StraceParser({ fds: [1, 3, 4, 5, 7, 10], defaultPid: 100 });
      const a = parser.push(trace.subarray(0, at));
      const b = parser.push(trace.subarray(at));
      const c = parser.end();
      const split = {
        writes: [...a.writes, ...b.writes, ...c.writes],
        exits: [...a.exits, ...b.exits, ...c.exits],
        changes: [...a.changes, ...b.changes, ...c.changes],
        execs: [...a.execs, ...b.execs, ...c.execs],
      };
      if (JSON.stringify(split) !== whole) throw new Error(`split at byte ${at} differs`);
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const trace = samples[1].trace;
    const parser = new StraceParser({ fds: [1], defaultPid: 100 });
    const writes = [];

    for (let at = 0; at < trace.length; at++)
      writes.push(...parser.push(trace.subarray(at, at + 1)).writes);
    writes.push(...parser.end().writes);

    expect(JSON.stringify(writes)).toBe(JSON.stringify(parse(trace, [1]).writes));
  });
});
