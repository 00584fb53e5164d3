import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../preload/contract';
import { containerTag, fdCell, formatProcessTable } from '../../main/cli/ps-table';

function proc(pid: number, command: string): ProcessInfo {
  return {
    pid,
    ppid: 1,
    uid: 1000,
    user: 'a-rather-long-user-name',
    command,
    argv: command.split(' '),
    exe: '/usr/bin/python3',
    comm: 'python3',
    state: 'S',
    startedAt: 0,
    tracerPid: 0,
    threads: 1,
    fds: [
      { fd: 1, kind: 'pipe', link: 'pipe:[123456]' },
      { fd: 2, kind: 'file', link: '/var/log/some/very/long/path/to/a/service/log/file.log' },
    ],
    methods: {
      '1': { method: 'trace', allowed: true, alternatives: ['pipe'] },
      '2': { method: 'file', allowed: false, reason: 'not readable', alternatives: [] },
    },
  };
}

describe('formatProcessTable', () => {
  it('fits every line in the terminal width, clamped to 100-200 columns', () => {
    const rows = [proc(1, 'x '.repeat(300)), proc(4312, 'python3 writer.py')];

    for (const [columns, max] of [
      [80, 100],
      [140, 140],
      [400, 200],
    ]) {
      const lines = formatProcessTable(rows, columns).trimEnd().split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(max);
      expect(lines).toHaveLength(3);
    }
  });

  it('shows where each fd points and the method that fits it', () => {
    const table = formatProcessTable([proc(4312, 'python3 writer.py')], 200);

    expect(table).toContain('pipe:[123456] → trace');
    expect(table).toContain('file.log → file (denied)');
    expect(table.split('\n')[1]).toMatch(/^ {3}4312 a-rather-… /);
  });
});

describe('fdCell', () => {
  it('names /dev/null and marks an fd no method fits', () => {
    const cell = fdCell(
      { fd: 1, kind: 'null', link: '/dev/null' },
      { method: null, allowed: false, alternatives: [] },
    );

    expect(cell).toBe('/dev/null → -');
  });
});

describe('containerTag', () => {
  it('puts the runtime, short id and namespace pid of a container before its command', () => {
    const p = {
      ...proc(4312, 'python3 app.py'),
      container: { id: 'ab'.repeat(32), runtime: 'docker', nsPid: 1 },
    };

    expect(containerTag(p.container)).toBe('[docker abababababab pid 1] ');
    expect(formatProcessTable([p], 140)).toContain('[docker abababababab pid 1] python3 app.py');
    expect(containerTag({ podUid: 'u', nsPid: 7 })).toBe('[pod pid 7] ');
    expect(containerTag(undefined)).toBe('');
  });
});
