// Which capture method fits an fd, and whether this user may use it, with what to do if not.
import type {
  ErrorCode,
  FdTarget,
  HostCapabilities,
  MethodChoice,
} from '../../../preload/contract';

/** What the choice needs to know about the target process. */
export interface MethodSubject {
  pid: number;
  uid: number;
  state: string;
  tracerPid: number;
  /** The tracer's comm, when it could be read. */
  tracerComm?: string;
  /** Why the fds could not be read, when they could not. */
  unreadable?: string;
}

/** Why strace cannot attach, as an error code and a sentence that says what to do. */
export interface Refusal {
  code: ErrorCode;
  reason: string;
}

/** Why tracing this process is refused here, or null when strace may attach. */
export function traceRefusal(subject: MethodSubject, caps: HostCapabilities): Refusal | null {
  if (subject.state === 'Z') {
    return { code: 'process-ended', reason: 'the process has exited (zombie)' };
  }
  if (caps.strace === null) {
    return {
      code: 'strace-missing',
      reason: 'strace is not installed on this host: install it (apt install strace)',
    };
  }
  if (subject.tracerPid !== 0) {
    const name = subject.tracerComm ? ` (${subject.tracerComm})` : '';
    return { code: 'already-traced', reason: `already traced by PID ${subject.tracerPid}${name}` };
  }
  // The classic rule, before Yama: same uid, or CAP_SYS_PTRACE.
  if (subject.uid !== caps.uid && !caps.capSysPtrace) {
    const reason = caps.isRoot
      ? "another user's process and CAP_SYS_PTRACE is missing: grant it (e.g. to the container)"
      : "another user's process: run as root";
    return { code: 'ptrace-capability', reason };
  }
  return yamaRefusal(caps);
}

function yamaRefusal(caps: HostCapabilities): Refusal | null {
  const scope = caps.ptraceScope;
  if (scope === 3) {
    return {
      code: 'ptrace-scope',
      reason: 'ptrace is disabled (kernel.yama.ptrace_scope=3) until the next reboot',
    };
  }
  // Scope 1 allows only descendants, and the target is never strace's descendant here.
  if (scope === null || scope === 0 || caps.capSysPtrace) return null;
  return {
    code: 'ptrace-scope',
    reason: `ptrace is not permitted: run as root or lower kernel.yama.ptrace_scope (now ${scope})`,
  };
}

/**
 * Chooses the method for one of fd 1 and fd 2. `readable` says whether /proc/PID/fd/N can be
 * opened by this user, which follow-file and read-pipe need.
 */
export function chooseMethod(
  target: FdTarget,
  subject: MethodSubject,
  caps: HostCapabilities,
  readable: boolean,
): MethodChoice {
  if (target.kind === 'closed') {
    return { method: null, allowed: false, reason: `fd ${target.fd} is closed`, alternatives: [] };
  }
  const trace = traceRefusal(subject, caps);
  const notReadable = `fds not readable: ${subject.unreadable ?? 'permission denied'}`;

  if (target.kind === 'file' || target.kind === 'deleted') {
    if (readable) return { method: 'file', allowed: true, alternatives: ['trace'] };
    // A file we may not open but may trace is still capturable.
    if (!trace) return { method: 'trace', allowed: true, alternatives: [] };
    return { method: 'file', allowed: false, reason: notReadable, alternatives: ['trace'] };
  }

  // Pipes are read only on explicit request: reading steals bytes from the real reader.
  const alternatives: MethodChoice['alternatives'] =
    target.kind === 'pipe' && readable ? ['pipe'] : [];
  if (trace) return { method: 'trace', allowed: false, reason: trace.reason, alternatives };
  return { method: 'trace', allowed: true, alternatives };
}
