// Telling apart the causes strace reports alike ("Operation not permitted"), from /proc facts.
import { describe, expect, it } from 'vitest';
import { attachError, type AttachFacts } from '../../../main/engine/capture/strace-errors';

const EPERM = 'strace: attach: ptrace(PTRACE_SEIZE, 4312): Operation not permitted\n';

function status(uid: number, tracer = 0, capEff = '0000000000000000', seccomp = 0): string {
  return (
    `Name:\tapp\nState:\tS (sleeping)\nTracerPid:\t${tracer}\n` +
    `Uid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n` +
    `CapEff:\t${capEff}\nSeccomp:\t${seccomp}\n`
  );
}

function facts(over: Partial<AttachFacts>): AttachFacts {
  return {
    pid: 4312,
    strace: '/usr/bin/strace',
    stderr: EPERM,
    exit: { code: 1, signal: null },
    targetStatus: status(1000),
    selfStatus: status(1000),
    ptraceScope: 0,
    tracerComm: null,
    ...over,
  };
}

describe('attach errors', () => {
  it('names ptrace_scope 1 for a same-user target, with the sysctl that lifts it', () => {
    const error = attachError(facts({ ptraceScope: 1 }));

    expect(error.code).toBe('ptrace-scope');
    expect(error.oneLine()).toBe(
      'unable to attach to pid 4312: ptrace not permitted (kernel.yama.ptrace_scope=1: only ' +
        'its parent processes and root may attach); run as root, or set it to 0: ' +
        'sudo sysctl kernel.yama.ptrace_scope=0',
    );
    expect(error.details).toBe(EPERM.trim());
  });

  it('names ptrace_scope 3 even for root', () => {
    const root = status(0, 0, '000001ffffffffff');

    const error = attachError(facts({ ptraceScope: 3, selfStatus: root, targetStatus: root }));

    expect(error.code).toBe('ptrace-scope');
    expect(error.reason).toContain('ptrace_scope=3');
  });

  it('names the missing capability for another user, whatever the scope', () => {
    expect(attachError(facts({ targetStatus: status(0) })).code).toBe('ptrace-capability');
    expect(attachError(facts({ targetStatus: status(0), ptraceScope: null })).code).toBe(
      'ptrace-capability',
    );
  });

  it('names the tracer of an already traced target', () => {
    const error = attachError(facts({ targetStatus: status(1000, 777), tracerComm: 'gdb' }));

    expect(error.code).toBe('already-traced');
    expect(error.reason).toBe('already traced by PID 777 (gdb)');
  });

  it('blames seccomp or a security module when user and scope allow the attach', () => {
    const error = attachError(facts({ selfStatus: status(1000, 0, '0', 2), ptraceScope: null }));

    expect(error.code).toBe('ptrace-blocked');
    expect(error.reason).toContain('seccomp filter');
  });

  it('tells a missing strace from a missing process', () => {
    const missing = facts({
      stderr: 'sh: 1: strace: not found\n',
      exit: { code: 127, signal: null },
    });
    const gone = facts({
      stderr: 'strace: attach: ptrace(PTRACE_SEIZE, 4312): No such process\n',
      targetStatus: null,
    });

    expect(attachError(missing).code).toBe('strace-missing');
    expect(attachError(gone).code).toBe('no-such-process');
  });
});
