// Where a local process's fds 0-2 point, and who else holds the pipes they are on.
import { accessSync, constants, readdirSync, readlinkSync, statSync } from 'node:fs';
import type { FdTarget } from '../../../preload/contract';
import { readProcText } from './proc-read';
import { fdKindOf, linkInode, parseFdinfo } from './proc-parse';

/** An fd as read, with whether this user may open /proc/PID/fd/N. */
export interface LocalFd {
  target: FdTarget;
  readable: boolean;
}

/** The fds of one process, or why they could not be read. */
export interface LocalFds {
  fds: LocalFd[];
  unreadable?: string;
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN';
}

/** Reads fds 0-2 of a process; throws ENOENT/ESRCH when the process has gone. */
export function readLocalFds(pid: number, count = 3): LocalFds {
  const fds: LocalFd[] = [];
  for (let fd = 0; fd < count; fd++) {
    const path = `/proc/${pid}/fd/${fd}`;
    let link: string | null;
    try {
      link = readlinkSync(path);
    } catch (error) {
      const code = errno(error);
      if (code === 'EACCES' || code === 'EPERM') {
        return { fds: [], unreadable: `cannot read /proc/${pid}/fd (${code}): not this user's` };
      }
      if (code !== 'ENOENT') throw error;
      // ENOENT is a closed fd while the process lives, and the process gone otherwise.
      statSync(`/proc/${pid}/fd`);
      link = null;
    }
    fds.push(link === null ? closedFd(fd) : describeFd(pid, fd, link));
  }
  return { fds };
}

function closedFd(fd: number): LocalFd {
  return { target: { fd, kind: 'closed', link: '' }, readable: false };
}

// Only paths need a stat (file or FIFO? its size?); pipes and sockets carry their inode in the
// link, and devices need none. Skipping the rest keeps the scan near 100 µs a process.
const NEEDS_STAT = new Set<FdTarget['kind']>(['file', 'deleted', 'other']);

function describeFd(pid: number, fd: number, link: string): LocalFd {
  const path = `/proc/${pid}/fd/${fd}`;
  const target: FdTarget = { fd, kind: fdKindOf(link), link };
  const inode = linkInode(link);
  if (inode !== null) target.inode = inode;
  if (NEEDS_STAT.has(target.kind)) statTarget(path, target);
  if (target.kind === 'file' || target.kind === 'deleted') {
    const info = readFdinfo(pid, fd);
    if (info) {
      target.append = info.append;
      target.pos = info.pos;
    }
  }
  return { target, readable: isOpenable(path, target.kind) };
}

function statTarget(path: string, target: FdTarget): void {
  try {
    const st = statSync(path);
    target.inode = st.ino;
    target.dev = st.dev;
    // A named FIFO shows as a path, yet behaves as a pipe; a device path is no file.
    if (st.isFIFO()) target.kind = 'pipe';
    else if (target.kind === 'file' && !st.isFile()) target.kind = 'other';
    if ((target.kind === 'file' || target.kind === 'deleted') && st.isFile()) {
      target.size = st.size;
    }
  } catch {
    // A vanished target: the link text is all we have.
  }
}

function readFdinfo(pid: number, fd: number): ReturnType<typeof parseFdinfo> {
  try {
    return parseFdinfo(readProcText(`/proc/${pid}/fdinfo/${fd}`));
  } catch {
    return null;
  }
}

function isOpenable(path: string, kind: FdTarget['kind']): boolean {
  if (kind !== 'file' && kind !== 'deleted' && kind !== 'pipe') return false;
  // access() follows the magic link and checks the target as open() would, without opening:
  // opening a pipe, even for a moment, would make us one of its readers.
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** A process holding a pipe's read end. */
export interface PipeHolder {
  pid: number;
  comm: string;
}

/**
 * Builds pipe inode → processes holding it open for reading, over every fd of every process,
 * for the wanted inodes only; one pass per scan.
 */
export function pipeReaders(
  wanted: Set<number>,
  pids: number[],
  comms: Map<number, string>,
): Map<number, PipeHolder[]> {
  const readers = new Map<number, PipeHolder[]>();
  if (wanted.size === 0) return readers;
  for (const pid of pids) {
    let entries: string[];
    try {
      entries = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const entry of entries) {
      const inode = pipeInodeAt(pid, entry);
      if (inode === null || !wanted.has(inode) || !readsPipe(pid, entry)) continue;
      const list = readers.get(inode) ?? [];
      if (!list.some((holder) => holder.pid === pid)) {
        list.push({ pid, comm: comms.get(pid) ?? readComm(pid) });
      }
      readers.set(inode, list);
    }
  }
  return readers;
}

function pipeInodeAt(pid: number, entry: string): number | null {
  try {
    const link = readlinkSync(`/proc/${pid}/fd/${entry}`);
    return link.startsWith('pipe:[') ? linkInode(link) : null;
  } catch {
    return null;
  }
}

function readsPipe(pid: number, entry: string): boolean {
  try {
    const info = parseFdinfo(readProcText(`/proc/${pid}/fdinfo/${entry}`));
    return info?.access === 'read';
  } catch {
    return false;
  }
}

/** A process's comm, or '' when it cannot be read. */
export function readComm(pid: number): string {
  try {
    return readProcText(`/proc/${pid}/comm`).replace(/\n$/, '');
  } catch {
    return '';
  }
}
