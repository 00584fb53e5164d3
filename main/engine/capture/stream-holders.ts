// Who else writes to a stream: every process that holds, open for writing, the pipe, socket or
// file one of the target's fds points to -- the other children of a shell script, a parent that
// passed its own stdout on. Read from this machine's /proc, once at the start of a capture.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

/** A process holding a stream, and on which of its fds. */
export interface StreamHolder {
  pid: number;
  comm: string;
  fds: number[];
}

/** The targets of the captured fds (as /proc/PID/fd/N reads) and the other holders. */
export interface StreamScan {
  targets: Map<number, string>;
  holders: StreamHolder[];
}

interface Wanted {
  dev: number;
  ino: number;
}

/**
 * Reads the captured fds' targets and finds the other processes holding them for writing. Only
 * pipes, sockets and regular files are looked for: a terminal or /dev/null is held by unrelated
 * processes (the user's shell, every daemon), and tracing them would slow them for nothing.
 */
export function scanStream(pid: number, fds: readonly number[]): StreamScan {
  const targets = new Map<number, string>();
  const wanted = new Map<string, Wanted>();
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      targets.set(fd, link);
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('pipe:[') || link.startsWith('socket:[') || st.isFile()) {
        wanted.set(link, { dev: st.dev, ino: st.ino });
      }
    } catch {
      // closed, or gone: strace will say so
    }
  }
  if (wanted.size === 0) return { targets, holders: [] };
  return { targets, holders: findHolders(wanted, new Set([pid, process.pid])) };
}

/** Processes, other than those skipped, holding any of the links for writing. */
export function holdersOf(links: Iterable<string>, skip: Set<number>): StreamHolder[] {
  const wanted = new Map<string, Wanted>();
  for (const link of links) wanted.set(link, { dev: -1, ino: -1 });
  return findHolders(wanted, skip);
}

function findHolders(wanted: Map<string, Wanted>, skip: Set<number>): StreamHolder[] {
  const holders: StreamHolder[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 0x30 || c > 0x39) continue;
    const pid = Number(name);
    if (skip.has(pid)) continue;
    const fds = heldFds(pid, wanted);
    if (fds.length > 0) holders.push({ pid, comm: readComm(pid), fds });
  }
  return holders;
}

function heldFds(pid: number, wanted: Map<string, Wanted>): number[] {
  let entries: string[];
  try {
    entries = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // gone, a kernel thread, or not ours to read
  }
  const fds: number[] = [];
  for (const entry of entries) {
    try {
      const want = wanted.get(readlinkSync(`/proc/${pid}/fd/${entry}`));
      if (want === undefined || !openForWriting(pid, entry)) continue;
      // A path may name another file by now (rotated); pipes and sockets are named by inode.
      if (want.ino >= 0) {
        const st = statSync(`/proc/${pid}/fd/${entry}`);
        if (st.dev !== want.dev || st.ino !== want.ino) continue;
      }
      fds.push(Number(entry));
    } catch {
      // closed while we looked
    }
  }
  return fds;
}

// The reader of a pipe holds the same pipe:[N] as its writers: only write ends count.
function openForWriting(pid: number, fd: string): boolean {
  const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1');
  const at = info.indexOf('flags:');
  if (at < 0) return false;
  const flags = Number.parseInt(
    info
      .slice(at + 6)
      .trim()
      .split('\n')[0],
    8,
  );
  return (flags & 3) !== 0;
}

/** A process's comm, '?' once it is gone. */
export function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Whether tid is a task (thread) of the process pid. */
export function isTaskOf(pid: number, tid: number): boolean {
  return tid === pid || existsSync(`/proc/${pid}/task/${tid}`);
}

/** The process (thread group) a task belongs to, or null once it is gone. */
export function processOf(tid: number): number | null {
  try {
    const status = readFileSync(`/proc/${tid}/status`, 'latin1');
    const match = /^Tgid:\s+(\d+)/m.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The pid tracing a process (its TracerPid), 0 when none or when it is gone. */
export function tracerOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    return Number(/^TracerPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
