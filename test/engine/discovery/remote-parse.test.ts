import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiscoveryOutputError, parseDiscovery } from '../../../main/engine/discovery/remote-parse';
import {
  parseFdListing,
  parseStats,
  splitCmdlines,
} from '../../../main/engine/discovery/remote-sections';

const golden = (name: string) =>
  readFileSync(new URL(`../../golden/discovery/${name}`, import.meta.url));

describe.each(['dash.out', 'busybox.out'])('parseDiscovery of %s', (name) => {
  const scan = parseDiscovery(golden(name), 'golden0nonce');
  const pid = (n: number) => scan.processes.find((p) => p.pid === n)!;

  it('lists the namespace processes and leaves out the script itself', () => {
    expect(scan.processes.map((p) => p.pid)).toEqual([1, 2, 3, 4, 5]);
    expect(scan.processes.map((p) => p.comm)).toEqual([
      'sh',
      'sleep',
      'cat',
      'sleep',
      'we) ird\nname',
    ]);
  });

  it('reads the host facts: root, strace 6.1, no Yama, CAP_SYS_PTRACE, its clock', () => {
    expect(scan.capabilities).toEqual({
      uid: 0,
      user: 'root',
      isRoot: true,
      strace: '/usr/bin/strace',
      straceVersion: '6.1',
      ptraceScope: null,
      capSysPtrace: true,
    });
    expect(scan.clock.nowSeconds).toBeGreaterThan(1_700_000_000);
    expect(scan.clock.uptimeSeconds).toBeGreaterThan(0);
    expect(scan.clock.bootMs).toBe(1796396917000);
  });

  it('names the reader of a pipe and offers trace with pipe as the opt-in', () => {
    const sleep = pid(2);

    expect(sleep.fds[1]).toMatchObject({ kind: 'pipe', readers: [{ pid: 3, comm: 'cat' }] });
    expect(sleep.methods['1']).toEqual({ method: 'trace', allowed: true, alternatives: ['pipe'] });
    expect(pid(3).fds[0]).toMatchObject({ kind: 'pipe', inode: sleep.fds[1].inode });
  });

  it('stats a file target: inode, device, size, position, not appending', () => {
    const fd1 = pid(4).fds[1];

    expect(fd1).toMatchObject({ kind: 'file', size: 0, pos: 0, append: false });
    expect(fd1.link).toMatch(/\/file\.log$/);
    expect(fd1.inode).toBeGreaterThan(0);
    expect(fd1.dev).toBeGreaterThan(0);
    expect(pid(4).methods['1']).toEqual({ method: 'file', allowed: true, alternatives: ['trace'] });
  });

  it('keeps an odd comm and a command line with a space and a newline whole', () => {
    const python = pid(5);

    expect(python.argv.slice(-2)).toEqual(['arg with space', 'new\nline']);
    expect(python.exe).toMatch(/python3/);
    expect(python.startedAt).toBe(1796396917000 + 2_102_130);
  });
});

describe('parseDiscovery', () => {
  it('refuses output that stops before the end marker', () => {
    const cut = golden('dash.out').subarray(0, 3000);

    expect(() => parseDiscovery(cut, 'golden0nonce')).toThrow(DiscoveryOutputError);
  });

  it('takes no section from a marker with another nonce', () => {
    const text = golden('dash.out').toString('utf8').replace('@@golden0nonce end', '@@forged end');

    expect(() => parseDiscovery(Buffer.from(text), 'golden0nonce')).toThrow(/incomplete/);
  });
});

describe('remote sections', () => {
  it('joins a stat line broken by a newline in comm', () => {
    const stats = parseStats(`7 (a\nb) S 1 ${'0 '.repeat(15)}9 0 42 0 0\n`);

    expect(stats.get(7)).toMatchObject({ comm: 'a\nb', state: 'S', ppid: 1, startTicks: 42 });
  });

  it('reads link modes, unreadable links, and a target name holding a newline', () => {
    const listing = [
      '/proc/9/fd:',
      'total 0',
      'lr-x------ 1 root root 64 Dec  4 15:17 0 -> pipe:[5]',
      'l-wx------ 1 root root 64 Dec  4 15:17 1 -> /tmp/odd',
      'name',
      'lrwx------ 1 1000 1000 64 Dec  4 15:17 2',
    ].join('\n');

    const fds = parseFdListing(listing).get(9)!;

    expect(fds.get(0)).toEqual({ link: 'pipe:[5]', read: true, write: false });
    expect(fds.get(1)).toEqual({ link: '/tmp/odd\nname', read: false, write: true });
    expect(fds.get(2)).toEqual({ link: null, read: true, write: true });
  });

  it('splits head output by header, ignoring a header forged for an earlier pid', () => {
    const out = Buffer.from(
      '==> /proc/10/cmdline <==\na\0\n==> /proc/1/cmdline <==\n\0' +
        '\n==> /proc/2/cmdline <==\nb\0',
      'latin1',
    );

    const cmdlines = splitCmdlines(out);

    expect(cmdlines.get(10)?.toString('latin1')).toBe('a\0\n==> /proc/1/cmdline <==\n\0');
    expect(cmdlines.get(2)?.toString('latin1')).toBe('b\0');
  });
});
