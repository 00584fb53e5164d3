// The table fdscope ps prints: one process per line, fitted to the terminal.
import type {
  ContainerHints,
  FdTarget,
  HostCapabilities,
  MethodChoice,
  ProcessInfo,
} from '../../preload/contract';

/** Narrowest and widest tables ps prints, whatever the terminal says. */
export const MIN_WIDTH = 100;
export const MAX_WIDTH = 200;

/**
 * Where an fd points and how it would be captured: "pipe:[123] → trace". A long
 * path loses its start, not its end: the file name and the method matter most.
 */
export function fdCell(
  target: FdTarget | undefined,
  choice: MethodChoice | undefined,
  width = Infinity,
): string {
  if (!target) return '?';
  const where = target.kind === 'null' ? '/dev/null' : target.link || target.kind;
  const method = !choice || choice.method === null ? '-' : choice.method;
  const suffix = ` → ${method}${choice && choice.method && !choice.allowed ? ' (denied)' : ''}`;
  const room = width - suffix.length;
  return (where.length <= room ? where : '…' + where.slice(where.length - room + 1)) + suffix;
}

/** "[docker 3f4e2a1b9c8d pid 1] ": what says a process runs in a container, before its command. */
export function containerTag(hints: ContainerHints | undefined): string {
  if (!hints) return '';
  const kind = hints.podUid ? 'pod' : (hints.runtime ?? (hints.id ? 'container' : 'pid ns'));
  const id = hints.id ? ` ${hints.id.slice(0, 12)}` : '';
  const pid = hints.nsPid === undefined ? '' : ` pid ${hints.nsPid}`;
  return `[${kind}${id}${pid}] `;
}

/** Cuts text to a width, marking the cut with "…". */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : text.slice(0, width - 1) + '…';
}

/** The whole table, header included, each line at most width wide. */
export function formatProcessTable(processes: ProcessInfo[], columns: number): string {
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, columns));
  const fdWidth = Math.floor((width - 7 - 1 - 10 - 1 - 2) * 0.3);
  const rows = processes.map((p) => {
    const target = (n: number) => p.fds.find((f) => f.fd === n);
    const fd = (n: 1 | 2) =>
      p.unreadable ? 'unreadable' : fdCell(target(n), p.methods[n], fdWidth);
    return [
      String(p.pid),
      p.user,
      fd(1),
      fd(2),
      containerTag(p.container) + (p.command || `[${p.comm}]`),
    ];
  });
  const widths = [7, 10, fdWidth, fdWidth];
  const commandWidth = width - widths.reduce((a, b) => a + b + 1, 0);
  const line = (cells: string[]) =>
    [
      cells[0].padStart(widths[0]),
      fit(cells[1], widths[1]).padEnd(widths[1]),
      fit(cells[2], widths[2]).padEnd(widths[2]),
      fit(cells[3], widths[3]).padEnd(widths[3]),
      fit(cells[4], commandWidth),
    ]
      .join(' ')
      .trimEnd();
  return [line(['PID', 'USER', 'FD 1', 'FD 2', 'COMMAND']), ...rows.map(line)].join('\n') + '\n';
}

/** One line on what this user may capture here, for the end of the table. */
export function capabilitiesLine(c: HostCapabilities): string {
  const strace = c.strace
    ? `strace ${c.straceVersion ?? '?'} at ${c.strace}`
    : 'strace not installed';
  const scope = c.ptraceScope === null ? 'no Yama' : `ptrace_scope ${c.ptraceScope}`;
  const who = c.isRoot ? 'root' : c.capSysPtrace ? `${c.user} with CAP_SYS_PTRACE` : c.user;
  return `${strace}; ${scope}; running as ${who}`;
}
