// Pure parsers of /proc text: no file access here, so every quirk can be tested on fixed samples.
import type { FdKind } from '../../../preload/contract';

/** What fdscope needs from /proc/PID/stat. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  threads: number;
  /** Clock ticks since boot when the process started (field 22). */
  startTicks: number;
}

/** Parses /proc/PID/stat; null when the text is not a stat line. */
export function parseStat(text: string): ProcStat | null {
  // comm may hold spaces and ')' itself, so it runs from the first '(' to the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state): field n sits at rest[n - 3].
  if (rest.length < 20) return null;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: Number(rest[1]),
    threads: Number(rest[17]),
    startTicks: Number(rest[19]),
  };
}

/** What fdscope needs from /proc/PID/status. */
export interface ProcStatus {
  /** Real uid (the first of the four Uid: values). */
  uid: number;
  /** Effective uid. */
  euid: number;
  ppid: number;
  tracerPid: number;
  threads: number;
  /** The effective capability set, as a bit mask. */
  capEff: bigint;
}

/** Parses /proc/PID/status; fields that are missing read as 0. */
export function parseStatus(text: string): ProcStatus {
  const status: ProcStatus = { uid: 0, euid: 0, ppid: 0, tracerPid: 0, threads: 0, capEff: 0n };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const value = line.slice(colon + 1).trim();
    switch (line.slice(0, colon)) {
      case 'Uid': {
        const ids = value.split(/\s+/).map(Number);
        status.uid = ids[0] ?? 0;
        status.euid = ids[1] ?? status.uid;
        break;
      }
      case 'PPid':
        status.ppid = Number(value);
        break;
      case 'TracerPid':
        status.tracerPid = Number(value);
        break;
      case 'Threads':
        status.threads = Number(value);
        break;
      case 'CapEff':
        status.capEff = /^[0-9a-f]+$/i.test(value) ? BigInt('0x' + value) : 0n;
        break;
    }
  }
  return status;
}

/** CAP_SYS_PTRACE's bit in a capability mask (linux/capability.h). */
export const CAP_SYS_PTRACE_BIT = 19n;

/** True when a capability mask holds CAP_SYS_PTRACE. */
export function hasCapSysPtrace(capEff: bigint): boolean {
  return ((capEff >> CAP_SYS_PTRACE_BIT) & 1n) === 1n;
}

const DELETED_SUFFIX = ' (deleted)';
const TTY_LINK = /^\/dev\/(pts\/\d+|tty\d*|console)$/;

/** Classifies the text of a /proc/PID/fd/N link; null (the fd is absent) reads as 'closed'. */
export function fdKindOf(link: string | null): FdKind {
  if (link === null) return 'closed';
  if (/^pipe:\[\d+\]$/.test(link)) return 'pipe';
  if (/^socket:\[\d+\]$/.test(link)) return 'socket';
  if (link.startsWith('anon_inode:')) return 'anon';
  if (link === '/dev/null') return 'null';
  if (TTY_LINK.test(link)) return 'tty';
  if (!link.startsWith('/')) return 'other';
  if (link.endsWith(DELETED_SUFFIX)) return 'deleted';
  // Other devices (/dev/zero, /dev/kmsg...) are not files one can follow.
  if (link.startsWith('/dev/') && !link.startsWith('/dev/shm/')) return 'other';
  return 'file';
}

/** The inode in "pipe:[123]" or "socket:[123]", or null. */
export function linkInode(link: string): number | null {
  const match = /^(?:pipe|socket):\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : null;
}

/** The path of a deleted file's link, without the " (deleted)" the kernel appends. */
export function deletedPath(link: string): string {
  return link.endsWith(DELETED_SUFFIX) ? link.slice(0, -DELETED_SUFFIX.length) : link;
}

/** O_APPEND and O_ACCMODE as Linux defines them on x86, arm and most others. */
export const O_APPEND = 0o2000;
export const O_ACCMODE = 0o3;

export type AccessMode = 'read' | 'write' | 'read-write';

/** What fdscope needs from /proc/PID/fdinfo/N. */
export interface FdInfo {
  /** The open flags, parsed from octal. */
  flags: number;
  pos: number;
  append: boolean;
  access: AccessMode;
}

/** Parses /proc/PID/fdinfo/N; null when it has no flags: line. */
export function parseFdinfo(text: string): FdInfo | null {
  const flagsMatch = /^flags:\s*([0-7]+)$/m.exec(text);
  if (!flagsMatch) return null;
  const posMatch = /^pos:\s*(\d+)$/m.exec(text);
  const flags = parseInt(flagsMatch[1], 8);
  const mode = flags & O_ACCMODE;
  return {
    flags,
    pos: posMatch ? Number(posMatch[1]) : 0,
    append: (flags & O_APPEND) !== 0,
    access: mode === 0 ? 'read' : mode === 1 ? 'write' : 'read-write',
  };
}

/** The boot time in seconds since the epoch, from /proc/stat's btime line. */
export function parseBootTime(text: string): number | null {
  const match = /^btime\s+(\d+)$/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** Splits /proc/PID/cmdline (NUL-separated, usually NUL-terminated) into argv. */
export function parseCmdline(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Maps uid to user name from /etc/passwd text; the first entry for a uid wins. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const uid = Number(fields[2]);
    if (fields.length < 3 || !Number.isInteger(uid) || users.has(uid)) continue;
    users.set(uid, fields[0]);
  }
  return users;
}

/** The strace version in "strace -- version 6.1", or null. */
export function parseStraceVersion(text: string): string | null {
  const match = /version\s+(\d+(?:\.\d+)+)/.exec(text);
  return match ? match[1] : null;
}
