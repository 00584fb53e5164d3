import { describe, expect, it } from 'vitest';
import {
  chooseMethod,
  traceRefusal,
  type MethodSubject,
} from '../../../main/engine/discovery/methods';
import type { FdKind, FdTarget, HostCapabilities } from '../../../preload/contract';

const user: HostCapabilities = {
  uid: 1000,
  user: 'alice',
  isRoot: false,
  strace: '/usr/bin/strace',
  straceVersion: '6.1',
  ptraceScope: 0,
  capSysPtrace: false,
};
const root: HostCapabilities = { ...user, uid: 0, user: 'root', isRoot: true, capSysPtrace: true };
const own: MethodSubject = { pid: 4312, uid: 1000, state: 'S', tracerPid: 0 };

function fd1(kind: FdKind, link = ''): FdTarget {
  return { fd: 1, kind, link };
}

describe('chooseMethod', () => {
  it('follows a regular or deleted file, with tracing as the alternative', () => {
    for (const kind of ['file', 'deleted'] as const) {
      expect(chooseMethod(fd1(kind), own, user, true)).toEqual({
        method: 'file',
        allowed: true,
        alternatives: ['trace'],
      });
    }
  });

  it('still follows a file when tracing is refused', () => {
    const scoped = { ...user, ptraceScope: 1 };

    expect(chooseMethod(fd1('file'), own, scoped, true)).toMatchObject({
      method: 'file',
      allowed: true,
    });
  });

  it('traces a file it may not open when tracing is permitted', () => {
    expect(chooseMethod(fd1('file'), own, user, false)).toEqual({
      method: 'trace',
      allowed: true,
      alternatives: [],
    });
  });

  it('refuses a file it may neither open nor trace, saying the fds are not readable', () => {
    const other = { ...own, uid: 0, unreadable: 'cannot read /proc/1/fd (EACCES)' };

    const choice = chooseMethod(fd1('file'), other, user, false);

    expect(choice.allowed).toBe(false);
    expect(choice.reason).toBe('fds not readable: cannot read /proc/1/fd (EACCES)');
  });

  it('traces a pipe and offers reading it only as an alternative', () => {
    expect(chooseMethod(fd1('pipe'), own, user, true)).toEqual({
      method: 'trace',
      allowed: true,
      alternatives: ['pipe'],
    });
  });

  it.each(['tty', 'null', 'socket', 'anon', 'other'] as const)(
    'traces fd 1 on %s and never offers reading it',
    (kind) => {
      expect(chooseMethod(fd1(kind), own, user, true)).toEqual({
        method: 'trace',
        allowed: true,
        alternatives: [],
      });
    },
  );

  it('has no method for a closed fd', () => {
    expect(chooseMethod(fd1('closed'), own, user, false)).toEqual({
      method: null,
      allowed: false,
      reason: 'fd 1 is closed',
      alternatives: [],
    });
  });
});

describe('traceRefusal', () => {
  it('says to install strace when it is missing', () => {
    expect(traceRefusal(own, { ...user, strace: null })).toEqual({
      code: 'strace-missing',
      reason: 'strace is not installed on this host: install it (apt install strace)',
    });
  });

  it('names the ptrace_scope that forbids attaching, and what to do', () => {
    expect(traceRefusal(own, { ...user, ptraceScope: 1 })).toEqual({
      code: 'ptrace-scope',
      reason: 'ptrace is not permitted: run as root or lower kernel.yama.ptrace_scope (now 1)',
    });
    expect(traceRefusal(own, { ...user, ptraceScope: 3 })?.reason).toMatch(/until the next reboot/);
  });

  it('lets CAP_SYS_PTRACE attach under scope 1 and 2, and a missing Yama apply no scope', () => {
    expect(traceRefusal(own, { ...root, ptraceScope: 2 })).toBeNull();
    expect(traceRefusal(own, { ...user, ptraceScope: null })).toBeNull();
  });

  it("refuses another user's process without CAP_SYS_PTRACE", () => {
    const other = { ...own, uid: 1001 };

    expect(traceRefusal(other, user)).toEqual({
      code: 'ptrace-capability',
      reason: "another user's process: run as root",
    });
    expect(traceRefusal(other, root)).toBeNull();
  });

  it('names the tracer of a process that is already traced', () => {
    const traced = { ...own, tracerPid: 777, tracerComm: 'gdb' };

    expect(traceRefusal(traced, root)).toEqual({
      code: 'already-traced',
      reason: 'already traced by PID 777 (gdb)',
    });
  });

  it('refuses a zombie, which will write nothing more', () => {
    expect(traceRefusal({ ...own, state: 'Z' }, root)?.code).toBe('process-ended');
  });
});
