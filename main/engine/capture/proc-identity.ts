// Is this still the process we started with? A pid can be reused; its start time cannot.
import { readFileSync } from 'node:fs';
import { parseStat } from '../discovery/proc-parse';

/** The start time (clock ticks since boot) of a live process, or null when it has gone. */
export function readStartTicks(pid: number): number | null {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    // A zombie has exited: its fds are closed and it will write nothing more.
    return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat.startTicks : null;
  } catch {
    return null;
  }
}

/** True while the process lives; with startTicks, only if it is the same process. */
export function processAlive(pid: number, startTicks: number): boolean {
  const now = readStartTicks(pid);
  return now !== null && (startTicks === 0 || now === startTicks);
}
