// What the remote capture and discovery commands ask of any host, and read back from it.
import { FdscopeError } from '../errors';
import type { HostProcess, RunOptions } from './host';

/**
 * A command that keeps its stdin (its end tells the command to stop, on any host) and, when
 * asked, runs as root (an SSH host that does not log in as root puts sudo before it).
 */
export function runOptions(privileged = false): RunOptions {
  return privileged ? { stdin: true, privileged } : { stdin: true };
}

/**
 * Why the host could not run the command at all (SshHost: no connection, a refused host key or
 * login, sudo refused), when it says so; such an error names its cause better than the exit
 * status (255, as ssh gives) of a command that never ran.
 */
export function hostError(proc: HostProcess): FdscopeError | null {
  const error = (proc as HostProcess & { error?: unknown }).error;
  return error instanceof FdscopeError ? error : null;
}
