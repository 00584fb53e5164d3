// On an SSH host whose login is not root, another user's process is traced through sudo: the
// process list offers trace for it, saying so, instead of refusing it outright.
import type { HostCapabilities, ProcessInfo } from '../../../preload/contract';
import { traceRefusal } from './methods';

/** Whether reading or tracing this process needs more than the login user's own rights. */
export function needsRoot(proc: Pick<ProcessInfo, 'uid'>, caps: HostCapabilities): boolean {
  return !caps.isRoot && proc.uid !== caps.uid;
}

/** The capabilities strace has when sudo runs it. */
export function asRoot(caps: HostCapabilities): HostCapabilities {
  return { ...caps, uid: 0, isRoot: true, capSysPtrace: true };
}

/** Marks trace as allowed, through sudo, where only the user's own rights stood in the way. */
export function traceThroughSudo(caps: HostCapabilities, processes: ProcessInfo[]): void {
  for (const proc of processes) {
    if (!needsRoot(proc, caps) || traceRefusal(proc, asRoot(caps))) continue;
    for (const fd of ['1', '2'] as const) {
      const choice = proc.methods[fd];
      if (choice.method !== 'trace' || choice.allowed) continue;
      proc.methods[fd] = {
        ...choice,
        allowed: true,
        reason: 'another user\u2019s process: strace runs as root through sudo on the host',
      };
    }
  }
}
