// How a capture's long-running command on a host is stopped.
import type { HostProcess } from '../host/host';

const KILL_AFTER_MS = 5_000;

/**
 * Ends a remote capture command and resolves once the source has ended: closing stdin ends a
 * remote loop after its current round, SIGTERM is for hosts that pass signals on, and SIGKILL
 * comes later for a command that answers neither.
 */
export async function stopRemoteCommand(proc: HostProcess, ended: Promise<unknown>): Promise<void> {
  proc.stdin?.end();
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), KILL_AFTER_MS);
  await ended;
  clearTimeout(timer);
}
