// What a trace capture tells about the processes it follows: which they are, and notices for
// what they do to the streams (a moved or closed fd, a program started, a failed attach).
import type { CaptureNotice, FollowedProcess } from '../../../preload/contract';
import type { FdChange, TracedExec, TracedExit, TracedWrite } from './strace-parser';
import { processOf, readComm, type StreamHolder } from './stream-holders';

/** The processes a capture follows: the target, the holders found at start, writers since. */
export class FollowedProcesses {
  private readonly byPid = new Map<number, FollowedProcess>();
  /** Tasks already looked at (threads resolve to their process). */
  private readonly seen = new Set<number>();
  private readonly programs = new Map<number, string>();

  constructor(
    private readonly target: FollowedProcess,
    holders: readonly StreamHolder[],
    /** Whether /proc is this machine's (tasks can be resolved to their process). */
    private readonly local: boolean,
  ) {
    this.byPid.set(target.pid, target);
    for (const h of holders) this.byPid.set(h.pid, { pid: h.pid, command: h.comm });
  }

  list(): FollowedProcess[] {
    return [...this.byPid.values()];
  }

  /** True once any process but the target is followed. */
  hasOthers(): boolean {
    return this.byPid.size > 1;
  }

  /** Adds the processes of writers not seen before; owner tasks are the target's threads. */
  sawWrites(writes: readonly TracedWrite[], isOwner: (pid: number) => boolean): void {
    for (const w of writes) {
      if (this.seen.has(w.pid)) continue;
      this.seen.add(w.pid);
      if (this.byPid.has(w.pid) || isOwner(w.pid)) continue;
      const pid = (this.local ? processOf(w.pid) : null) ?? w.pid;
      if (this.byPid.has(pid)) continue;
      const command = this.programs.get(pid) ?? (this.local ? readComm(pid) : '?');
      this.byPid.set(pid, { pid, command });
    }
  }

  /** Names the program a process started (its followed entry, now or when it first writes). */
  sawExec(exec: TracedExec): void {
    const name = exec.program.slice(exec.program.lastIndexOf('/') + 1);
    this.programs.set(exec.pid, name);
    const known = this.byPid.get(exec.pid);
    if (known) this.byPid.set(exec.pid, { ...known, command: name });
  }
}

/** The notice for the other holders found at start, if any. */
export function holdersNotice(
  t: number,
  targets: ReadonlyMap<number, string>,
  holders: readonly StreamHolder[],
): CaptureNotice | null {
  if (holders.length === 0) return null;
  const who = holders.map((h) => `${h.pid} (${h.comm})`).join(', ');
  const what = [...new Set(targets.values())].join(', ');
  const n = holders.length;
  return {
    t,
    level: 'info',
    message: `following ${n} more process${n === 1 ? '' : 'es'} that write to ${what}: ${who}`,
  };
}

/** The notice for a captured fd of the target that moved or closed. */
export function changeNotice(change: FdChange): CaptureNotice {
  const { t, pid, fd, from, to } = change;
  const was = from === null ? '' : ` (was ${from})`;
  if (to === null) {
    return {
      t,
      level: 'warning',
      message: `pid ${pid} closed fd ${fd}${was}: what it writes to fd ${fd} from now on is lost`,
    };
  }
  const how = change.call === 'write' ? '' : ` by ${change.call}`;
  return {
    t,
    level: 'info',
    message: `fd ${fd} now points to ${to}${was}${how} in pid ${pid}: its writes there are kept`,
  };
}

/** The notice for a process killed in the middle of a write. */
export function inFlightNotice(exit: TracedExit): CaptureNotice {
  return {
    t: exit.t,
    level: 'warning',
    message:
      `pid ${exit.pid} was killed by ${exit.signal} in the middle of a write of ` +
      `${exit.inFlight} bytes: they are kept, though they may not have been written`,
  };
}

/** The notice for a program the target started. */
export function execNotice(exec: TracedExec): CaptureNotice {
  return { t: exec.t, level: 'info', message: `pid ${exec.pid} now runs ${exec.program}` };
}

/** strace's "attach: ptrace(PTRACE_SEIZE, PID): words" lines: which pid, which words. */
export function attachFailures(stderr: string): { pid: number; words: string }[] {
  const found: { pid: number; words: string }[] = [];
  for (const m of stderr.matchAll(/attach: ptrace\(PTRACE_\w+, (\d+)\): ([^\n]*)/g)) {
    found.push({ pid: Number(m[1]), words: m[2] });
  }
  return found;
}

// Bytes a batch's writes put on the stream but could not bring: those of sendfile and splice,
// which never pass through the process, and those strace's string limit cut. One notice per
// call, pid and fd in the batch, so that a copy loop does not become a flood of notices.
/** The gap notices of a batch of writes (none when every byte came through). */
export function gapsOf(writes: readonly TracedWrite[]): CaptureNotice[] {
  let gaps: Map<string, { t: number; w: TracedWrite; bytes: number; calls: number }> | null = null;
  for (const w of writes) {
    if (w.bytes.length >= w.full) continue;
    gaps ??= new Map();
    const key = `${w.call} ${w.pid} ${w.fd}`;
    const gap = gaps.get(key) ?? { t: w.t, w, bytes: 0, calls: 0 };
    gap.bytes += w.full - w.bytes.length;
    gap.calls += 1;
    gaps.set(key, gap);
  }
  if (gaps === null) return [];
  return [...gaps.values()].map(({ t, w, bytes, calls }) => {
    const by = `${calls === 1 ? '' : `${calls} `}${w.call}${calls === 1 ? '' : ' calls'}`;
    const why = w.opaque
      ? 'not visible to the tracer (they never pass through the process)'
      : "cut by strace's string limit";
    return {
      t,
      level: 'warning' as const,
      message: `gap: ${bytes} bytes written to fd ${w.fd} by ${by} of pid ${w.pid} ${why}`,
    };
  });
}
