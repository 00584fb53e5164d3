// What the remote capture and discovery commands ask of any host, and read back from it.
import { FdscopeError } from '../errors';
import type { HostProcess, RunOptions } from './host';

/**
 * A command that keeps its stdin (its end tells the command to stop, on any host) and, when
 * asked, runs as root: `privileged` is the Host interface's word, `sudo` SshHost's own.
 */
export function runOptions(privileged = false): RunOptions & { sudo?: boolean } {
  return privileged ? { stdin: true, privileged, sudo: true } : { stdin: true };
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
