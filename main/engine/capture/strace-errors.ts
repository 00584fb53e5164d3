// Why strace could not attach, in words a user can act on. strace says only "Operation not
// permitted" for four different causes; the facts read from /proc tell them apart.
import { FdscopeError } from '../errors';
import type { ExitStatus, Host } from '../host/host';

/** What the diagnosis of a failed attach rests on. */
export interface AttachFacts {
  pid: number;
  strace: string;
  /** strace's stderr, its own words. */
  stderr: string;
  exit: ExitStatus;
  /** /proc/PID/status of the target; null when it could not be read (the process is gone). */
  targetStatus: string | null;
  /** /proc/self/status of a command started as strace was: its uids and capabilities. */
  selfStatus: string | null;
  /** kernel.yama.ptrace_scope; null when Yama is not in the kernel. */
  ptraceScope: number | null;
  /** The tracer's name, when the target is already traced and it could be read. */
  tracerComm: string | null;
}

const CAP_SYS_PTRACE = 19n;

/** Reads the facts for a failed attach on the host where strace ran. */
export async function readAttachFacts(
  host: Host,
  base: Pick<AttachFacts, 'pid' | 'strace' | 'stderr' | 'exit'>,
): Promise<AttachFacts> {
  const [targetStatus, selfStatus, scope] = await Promise.all([
    readHostFile(host, `/proc/${base.pid}/status`),
    readHostFile(host, '/proc/self/status'),
    readHostFile(host, '/proc/sys/kernel/yama/ptrace_scope'),
  ]);
  const tracer = statusField(targetStatus, 'TracerPid');
  const tracerComm = tracer ? await readHostFile(host, `/proc/${tracer}/comm`) : null;
  const ptraceScope = scope === null ? null : Number.parseInt(scope, 10);
  return {
    ...base,
    targetStatus,
    selfStatus,
    ptraceScope: Number.isNaN(ptraceScope) ? null : ptraceScope,
    tracerComm: tracerComm?.trim() || null,
  };
}

/** The FdscopeError for a failed attach: a code, the reason, what to do, strace's words. */
export function attachError(facts: AttachFacts): FdscopeError {
  const { pid, stderr } = facts;
  const details = stderr.trim() || `strace exited (${describeExit(facts.exit)}) and said nothing`;
  const fail = (code: FdscopeError['code'], reason: string, help: string): FdscopeError =>
    new FdscopeError(code, `unable to attach to pid ${pid}`, { reason, help, details });

  if (isMissing(facts)) {
    return fail(
      'strace-missing',
      `strace is not installed (${facts.strace} could not be run)`,
      'install strace on that host (apt install strace, dnf install strace, apk add strace)',
    );
  }
  if (/No such process/i.test(stderr) || facts.targetStatus === null) {
    return fail('no-such-process', `no process has pid ${pid} (any more)`, 'pick it again');
  }
  if (!/Operation not permitted|Permission denied/i.test(stderr)) {
    return fail('internal', `strace failed (${describeExit(facts.exit)})`, 'see the details');
  }
  return permissionError(facts, fail);
}

type Fail = (code: FdscopeError['code'], reason: string, help: string) => FdscopeError;

// EPERM, in the order the kernel checks: one tracer per process, then Yama and the
// credentials, then whatever else (seccomp, an LSM, a process that is not dumpable).
function permissionError(facts: AttachFacts, fail: Fail): FdscopeError {
  const tracer = statusField(facts.targetStatus, 'TracerPid');
  if (tracer) {
    const name = facts.tracerComm ? ` (${facts.tracerComm})` : '';
    return fail(
      'already-traced',
      `already traced by PID ${tracer}${name}`,
      'a process has only one tracer: stop that debugger or strace first',
    );
  }

  const hasCap = hasCapability(facts.selfStatus, CAP_SYS_PTRACE);
  const scope = facts.ptraceScope;
  if (scope === 3) {
    return fail(
      'ptrace-scope',
      'ptrace not permitted (kernel.yama.ptrace_scope=3: no process may attach)',
      'ptrace_scope 3 can only be lowered by a reboot; follow a file output instead',
    );
  }
  if (!hasCap && !sameUser(facts.selfStatus, facts.targetStatus)) {
    const owner = statusIds(facts.targetStatus, 'Uid')[0];
    return fail(
      'ptrace-capability',
      `pid ${facts.pid} belongs to uid ${owner ?? '?'} and this user lacks CAP_SYS_PTRACE`,
      'run as root or as that user (locally through pkexec or sudo, over SSH through sudo)',
    );
  }
  if (!hasCap && scope !== null && scope >= 1) {
    const who =
      scope === 1 ? 'only its parent processes and root may attach' : 'only root may attach';
    return fail(
      'ptrace-scope',
      `ptrace not permitted (kernel.yama.ptrace_scope=${scope}: ${who})`,
      'run as root, or set it to 0: sudo sysctl kernel.yama.ptrace_scope=0',
    );
  }
  const seccomp = statusField(facts.selfStatus, 'Seccomp');
  const why = seccomp
    ? 'this session runs under a seccomp filter that may forbid ptrace'
    : 'a security module (AppArmor, SELinux), a seccomp filter or a non-dumpable target';
  return fail(
    'ptrace-blocked',
    `ptrace refused although user and ptrace_scope allow it: ${why}`,
    'check the security log (dmesg, audit.log), or run outside the container or sandbox',
  );
}

function isMissing(facts: AttachFacts): boolean {
  if (/attach:/.test(facts.stderr)) return false;
  // 127: the shell's "command not found"; the local host reports a failed spawn the same way.
  if (facts.exit.code === 127 || facts.exit.code === 126) return true;
  return /not found|No such file or directory/i.test(facts.stderr);
}

function describeExit(exit: ExitStatus): string {
  return exit.signal ? `killed by ${exit.signal}` : `code ${exit.code}`;
}

/** One numeric field of a /proc status text ("TracerPid", "Seccomp"); 0 when absent. */
export function statusField(status: string | null, name: string): number {
  return statusIds(status, name)[0] ?? 0;
}

function statusIds(status: string | null, name: string): number[] {
  if (status === null) return [];
  const line = status.split('\n').find((l) => l.startsWith(`${name}:`));
  if (line === undefined) return [];
  return line
    .slice(name.length + 1)
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((n) => !Number.isNaN(n));
}

// The kernel lets a tracer attach when its real uid and gid match every uid and gid of the
// target (real, effective, saved, fs) -- short of CAP_SYS_PTRACE.
function sameUser(self: string | null, target: string | null): boolean {
  const myUid = statusIds(self, 'Uid')[0];
  const myGid = statusIds(self, 'Gid')[0];
  if (myUid === undefined || target === null) return true;
  const uids = statusIds(target, 'Uid');
  const gids = statusIds(target, 'Gid');
  return uids.every((u) => u === myUid) && gids.every((g) => g === myGid);
}

function hasCapability(status: string | null, cap: bigint): boolean {
  const line = status?.split('\n').find((l) => l.startsWith('CapEff:'));
  if (!line) return false;
  const mask = BigInt(`0x${line.slice('CapEff:'.length).trim()}`);
  return ((mask >> cap) & 1n) === 1n;
}

// A file's text through the host (cat), so that it works the same over SSH; null on failure.
async function readHostFile(host: Host, path: string): Promise<string | null> {
  const proc = host.spawn(['cat', path]);
  const parts: Buffer[] = [];
  proc.stdout.on('data', (chunk: Buffer) => parts.push(chunk));
  proc.stderr.resume();
  const status = await proc.exited;
  return status.code === 0 ? Buffer.concat(parts).toString('utf8') : null;
}
