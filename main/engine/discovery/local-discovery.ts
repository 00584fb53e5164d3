// The processes on this machine, read from /proc with synchronous calls (2.5-4x cheaper here).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { FdTarget, HostCapabilities, ProcessInfo } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import { readLocalCapabilities, readUsers } from './capabilities';
import { pipeReaders, readComm, readLocalFds, type LocalFd } from './local-fds';
import { parseContainerHints } from './container-hints';
import { chooseMethod } from './methods';
import { readProcBytes, readProcText } from './proc-read';
import { parseBootTime, parseCmdline, parseStat, parseStatus } from './proc-parse';

// USER_HZ is 100 on every Linux architecture fdscope runs on; /proc counts in it.
const CLOCK_TICKS_PER_SECOND = 100;
const KTHREADD_PID = 2;

interface ScanContext {
  caps: HostCapabilities;
  users: Map<number, string>;
  bootMs: number;
}

/** A process as read, before pipe readers and methods are filled in. */
interface Scanned {
  info: ProcessInfo;
  fds: LocalFd[];
}

/**
 * Lists this machine's processes with their fds 0-2 and methods. Kernel threads (pid 2 and
 * its children) are left out: they have no stdout to capture.
 */
export function listLocalProcesses(caps?: HostCapabilities): {
  capabilities: HostCapabilities;
  processes: ProcessInfo[];
} {
  const ctx = scanContext(caps);
  const pids = listPids();

  const scanned: Scanned[] = [];
  for (const pid of pids) {
    const one = scanProcess(pid, ctx);
    if (one && !isKernelThread(one.info)) scanned.push(one);
  }
  finish(scanned, pids, ctx);

  return { capabilities: ctx.caps, processes: scanned.map((one) => one.info) };
}

/** Reads one process; throws FdscopeError 'no-such-process' when it does not exist. */
export function getLocalProcess(pid: number, caps?: HostCapabilities): ProcessInfo {
  const ctx = scanContext(caps);
  const one = Number.isInteger(pid) && pid > 0 ? scanProcess(pid, ctx) : null;
  if (!one) {
    throw new FdscopeError('no-such-process', `unable to find process ${pid}`, {
      reason: 'no such process on this machine',
      help: 'it may have exited; refresh the process list',
    });
  }

  finish([one], listPids(), ctx);
  return one.info;
}

function scanContext(caps?: HostCapabilities): ScanContext {
  const bootSeconds = parseBootTime(readFileSync('/proc/stat', 'latin1')) ?? 0;
  return { caps: caps ?? readLocalCapabilities(), users: readUsers(), bootMs: bootSeconds * 1000 };
}

function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

function isKernelThread(info: ProcessInfo): boolean {
  return info.pid === KTHREADD_PID || info.ppid === KTHREADD_PID;
}

function gone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Reads one process, or null when it has gone (it may exit at any step of the scan). */
function scanProcess(pid: number, ctx: ScanContext): Scanned | null {
  try {
    return readProcess(pid, ctx);
  } catch (error) {
    if (gone(error)) return null;
    throw error;
  }
}

function readProcess(pid: number, ctx: ScanContext): Scanned | null {
  const stat = parseStat(readProcText(`/proc/${pid}/stat`));
  if (!stat) return null;
  const statusText = readProcText(`/proc/${pid}/status`);
  const status = parseStatus(statusText);
  const argv = parseCmdline(readProcBytes(`/proc/${pid}/cmdline`));
  const { fds, unreadable } = readLocalFds(pid);

  const info: ProcessInfo = {
    pid,
    ppid: stat.ppid,
    uid: status.uid,
    user: ctx.users.get(status.uid) ?? String(status.uid),
    // Kernel threads and zombies have an empty cmdline; ps shows their comm in brackets.
    command: argv.length > 0 ? argv.join(' ') : `[${stat.comm}]`,
    argv: argv.length > 0 ? argv : [stat.comm],
    exe: readExe(pid),
    comm: stat.comm,
    state: stat.state,
    startedAt: ctx.bootMs + Math.round((stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND),
    tracerPid: status.tracerPid,
    threads: status.threads || stat.threads,
    fds: fds.map((fd) => fd.target),
    // Filled in by finish(), once the pipe readers are known.
    methods: {} as ProcessInfo['methods'],
  };
  if (unreadable) info.unreadable = unreadable;
  const container = parseContainerHints(readCgroup(pid), statusText);
  if (container) info.container = container;
  return { info, fds };
}

function readCgroup(pid: number): string {
  try {
    return readProcText(`/proc/${pid}/cgroup`);
  } catch (error) {
    if (gone(error)) throw error;
    return ''; // no cgroups mounted: no hints from them
  }
}

function readExe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/** Names each pipe's readers and chooses the methods for fd 1 and fd 2. */
function finish(scanned: Scanned[], pids: number[], ctx: ScanContext): void {
  const wanted = new Set<number>();
  for (const { fds } of scanned) {
    for (const { target } of fds) {
      if (target.kind === 'pipe' && target.inode !== undefined) wanted.add(target.inode);
    }
  }
  const comms = new Map(scanned.map(({ info }) => [info.pid, info.comm]));
  const readers = pipeReaders(wanted, pids, comms);

  for (const { info, fds } of scanned) {
    for (const { target } of fds) {
      if (target.kind !== 'pipe' || target.inode === undefined) continue;
      target.readers = (readers.get(target.inode) ?? []).filter((r) => r.pid !== info.pid);
    }
    info.methods = { '1': methodFor(info, fds, 1, ctx), '2': methodFor(info, fds, 2, ctx) };
  }
}

function methodFor(info: ProcessInfo, fds: LocalFd[], fd: number, ctx: ScanContext) {
  const found = fds.find((one) => one.target.fd === fd);
  const target: FdTarget = found?.target ?? { fd, kind: 'unknown', link: '' };
  const subject = {
    pid: info.pid,
    uid: info.uid,
    state: info.state,
    tracerPid: info.tracerPid,
    tracerComm: info.tracerPid ? readComm(info.tracerPid) : undefined,
    unreadable: info.unreadable,
  };
  return chooseMethod(target, subject, ctx.caps, found?.readable ?? false);
}
