// Searching and sorting the process list.

import type { FdTarget, ProcessInfo } from '../../../preload/contract';
import { containerSearchText } from './container-badge';

export type SortKey = 'pid' | 'user' | 'command' | 'fd1' | 'fd2';

export interface Sort {
  key: SortKey;
  descending: boolean;
}

/** The fd entry of a process, if it was readable. */
export function fdOf(p: ProcessInfo, fd: number): FdTarget | undefined {
  return p.fds.find((f) => f.fd === fd);
}

/**
 * Processes matching every word of the query in their command, pid, user,
 * executable path or container id and pod uid; case-insensitive.
 */
export function filterProcesses(list: ProcessInfo[], query: string): ProcessInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return list;
  return list.filter((p) => {
    const container = containerSearchText(p.container);
    const hay = `${p.pid} ${p.user} ${p.command} ${p.exe} ${container}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function sortValue(p: ProcessInfo, key: SortKey): string | number {
  if (key === 'pid') return p.pid;
  if (key === 'user') return p.user;
  if (key === 'command') return p.command;
  const f = fdOf(p, key === 'fd1' ? 1 : 2);
  return f ? `${f.kind} ${f.link}` : '~';
}

/** A sorted copy; ties keep pid order so the list does not shuffle on refresh. */
export function sortProcesses(list: ProcessInfo[], sort: Sort): ProcessInfo[] {
  const sign = sort.descending ? -1 : 1;
  return [...list].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    const c =
      typeof va === 'number' && typeof vb === 'number'
        ? va - vb
        : String(va).localeCompare(String(vb));
    return c !== 0 ? c * sign : a.pid - b.pid;
  });
}
