// The process list's container badge: a short label, and a tooltip with every hint.

import type { ContainerHints } from '../../../preload/contract';

/** What the badge shows. */
export interface ContainerBadge {
  label: string;
  tooltip: string;
}

/** The badge for a process's container hints. */
export function containerBadge(hints: ContainerHints): ContainerBadge {
  const kind = hints.podUid ? 'pod' : (hints.runtime ?? (hints.id ? 'container' : 'pid ns'));
  const label = hints.nsPid === undefined ? kind : `${kind} · pid ${hints.nsPid}`;
  const lines: string[] = [];
  if (hints.id) lines.push(`container ${hints.id}${hints.runtime ? ` (${hints.runtime})` : ''}`);
  if (hints.podUid) lines.push(`Kubernetes pod ${hints.podUid}`);
  if (hints.nsPid !== undefined) lines.push(`pid ${hints.nsPid} in its own pid namespace`);
  if (hints.cgroup) lines.push(`cgroup ${hints.cgroup}`);
  return { label, tooltip: lines.join('\n') };
}

/** The words a search matches a container by: its id and pod uid. */
export function containerSearchText(hints: ContainerHints | undefined): string {
  return hints ? [hints.id, hints.podUid, hints.runtime].filter(Boolean).join(' ') : '';
}
