import { describe, expect, it } from 'vitest';
import {
  deletedPath,
  fdKindOf,
  hasCapSysPtrace,
  linkInode,
  parseBootTime,
  parseCmdline,
  parseFdinfo,
  parsePasswd,
  parseStat,
  parseStatus,
  parseStraceVersion,
} from '../../../main/engine/discovery/proc-parse';

const STAT_ODD_COMM =
  '4242 (my (odd) name)) S 4200 4242 4200 34816 4242 4194304 120 0 0 0 1 2 0 0 20 0 3 0 ' +
  '987654 12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';

describe('parseStat', () => {
  it('reads a comm holding spaces and parentheses up to the last parenthesis', () => {
    const stat = parseStat(STAT_ODD_COMM);

    expect(stat).toEqual({
      pid: 4242,
      comm: 'my (odd) name)',
      state: 'S',
      ppid: 4200,
      threads: 3,
      startTicks: 987654,
    });
  });

  it('returns null for text that is not a stat line', () => {
    expect(parseStat('')).toBeNull();
    expect(parseStat('12 (short) S 1')).toBeNull();
  });
});

describe('parseStatus', () => {
  it('reads Uid, PPid, TracerPid, Threads and CapEff', () => {
    const text = [
      'Name:\tsleep',
      'State:\tS (sleeping)',
      'PPid:\t77',
      'TracerPid:\t901',
      'Uid:\t1000\t1001\t1000\t1000',
      'Threads:\t4',
      'CapEff:\t0000000000080000',
      '',
    ].join('\n');

    const status = parseStatus(text);

    expect(status).toEqual({
      uid: 1000,
      euid: 1001,
      ppid: 77,
      tracerPid: 901,
      threads: 4,
      capEff: 0x80000n,
    });
    expect(hasCapSysPtrace(status.capEff)).toBe(true);
  });

  it('finds CAP_SYS_PTRACE only when bit 19 is set', () => {
    expect(hasCapSysPtrace(0x000001fffeffffffn)).toBe(true);
    expect(hasCapSysPtrace(0x000001fffef7ffffn)).toBe(false);
    expect(hasCapSysPtrace(0n)).toBe(false);
  });
});

describe('fdKindOf', () => {
  it.each([
    ['/var/log/app.log', 'file'],
    ['/tmp/gone.log (deleted)', 'deleted'],
    ['pipe:[12345]', 'pipe'],
    ['/dev/pts/3', 'tty'],
    ['/dev/tty1', 'tty'],
    ['/dev/tty', 'tty'],
    ['/dev/console', 'tty'],
    ['/dev/null', 'null'],
    ['socket:[998]', 'socket'],
    ['anon_inode:[eventfd]', 'anon'],
    ['/dev/zero', 'other'],
    ['net:[4026531840]', 'other'],
    ['/dev/shm/buffer', 'file'],
  ])('classifies %s as %s', (link, kind) => {
    expect(fdKindOf(link)).toBe(kind);
  });

  it('reads an absent fd as closed', () => {
    expect(fdKindOf(null)).toBe('closed');
  });

  it('takes the inode from pipe and socket links and the path from a deleted one', () => {
    expect(linkInode('pipe:[12345]')).toBe(12345);
    expect(linkInode('socket:[7]')).toBe(7);
    expect(linkInode('/tmp/x')).toBeNull();
    expect(deletedPath('/tmp/gone.log (deleted)')).toBe('/tmp/gone.log');
  });
});

describe('parseFdinfo', () => {
  it('reads O_APPEND and write access from octal flags, and the position', () => {
    const info = parseFdinfo('pos:\t4096\nflags:\t0102001\nmnt_id:\t29\nino:\t1234\n');

    expect(info).toEqual({ flags: 0o102001, pos: 4096, append: true, access: 'write' });
  });

  it('reads a read-only pipe end without O_APPEND', () => {
    const info = parseFdinfo('pos:\t0\nflags:\t00\nmnt_id:\t15\nino:\t2602\n');

    expect(info).toMatchObject({ append: false, access: 'read' });
  });

  it('reads read-write access', () => {
    expect(parseFdinfo('pos:\t0\nflags:\t02\n')?.access).toBe('read-write');
    expect(parseFdinfo('nothing here')).toBeNull();
  });
});

describe('small files of /proc and /etc', () => {
  it('reads the boot time from /proc/stat', () => {
    expect(parseBootTime('cpu  1 2 3\nbtime 1796378375\nprocesses 9\n')).toBe(1796378375);
  });

  it('splits cmdline on NULs, keeping empty arguments but not the final terminator', () => {
    expect(parseCmdline(Buffer.from('sleep\0\x001000\0'))).toEqual(['sleep', '', '1000']);
    expect(parseCmdline(Buffer.alloc(0))).toEqual([]);
  });

  it('maps uids to names with the first entry for a uid winning', () => {
    const users = parsePasswd('root:x:0:0::/root:/bin/sh\n# c\nalice:x:1000:1000::/h:/bin/sh\n');

    expect(users.get(0)).toBe('root');
    expect(users.get(1000)).toBe('alice');
  });

  it('reads the strace version', () => {
    expect(parseStraceVersion('strace -- version 6.1\nCopyright...')).toBe('6.1');
    expect(parseStraceVersion('nonsense')).toBeNull();
  });
});
