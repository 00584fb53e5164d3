import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../preload/contract';
import { filterProcesses, sortProcesses } from '../../renderer/src/lib/process-table';

const p = (pid: number, user: string, command: string, exe = ''): ProcessInfo => ({
  pid,
  ppid: 1,
  uid: 1000,
  user,
  command,
  argv: command.split(' '),
  exe,
  comm: command,
  state: 'S',
  startedAt: 0,
  tracerPid: 0,
  threads: 1,
  fds: [],
  methods: {
    '1': { method: 'trace', allowed: true, alternatives: [] },
    '2': { method: 'trace', allowed: true, alternatives: [] },
  },
});

const list = [
  p(30, 'dev', 'python3 app.py', '/usr/bin/python3'),
  p(4, 'root', 'nginx'),
  p(200, 'dev', 'node x'),
];

describe('process table', () => {
  it('matches every word in command, pid, user or executable', () => {
    expect(filterProcesses(list, 'dev node').map((x) => x.pid)).toEqual([200]);
    expect(filterProcesses(list, '/usr/bin/py').map((x) => x.pid)).toEqual([30]);
    expect(filterProcesses(list, '4').map((x) => x.pid)).toEqual([4]);
    expect(filterProcesses(list, '  ')).toBe(list);
  });

  it('sorts numbers as numbers and flips on descending', () => {
    expect(sortProcesses(list, { key: 'pid', descending: false }).map((x) => x.pid)).toEqual([
      4, 30, 200,
    ]);
    expect(sortProcesses(list, { key: 'user', descending: true }).map((x) => x.pid)).toEqual([
      4, 30, 200,
    ]);
  });
});
