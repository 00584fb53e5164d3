// Turns the discovery script's output into what local discovery gives: the host's
// capabilities and its processes with their fds 0-2, pipe readers and methods. Pure.
import type {
  FdTarget,
  HostCapabilities,
  MethodChoice,
  ProcessInfo,
} from '../../../preload/contract';
import { parseContainerHints } from './container-hints';
import { chooseMethod } from './methods';
import {
  fdKindOf,
  hasCapSysPtrace,
  linkInode,
  parseBootTime,
  parseCmdline,
  parseFdinfo,
  parsePasswd,
  parseStatus,
  parseStraceVersion,
  type ProcStat,
} from './proc-parse';
import {
  decodeOdHex,
  parseExeLinks,
  parseFdListing,
  parseGrepByPid,
  parseReadable,
  parseStats,
  parseTargetStats,
  splitCmdlines,
  splitSections,
  type ListedFd,
  type TargetStat,
} from './remote-sections';

// USER_HZ is 100 on every Linux architecture fdscope runs on; /proc counts in it.
const CLOCK_TICKS_PER_SECOND = 100;
const KTHREADD_PID = 2;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFIFO = 0o010000;

/** The host's clock as the script read it. */
export interface RemoteClock {
  /** `date +%s` on the host. */
  nowSeconds: number;
  /** Seconds since boot, from /proc/uptime. */
  uptimeSeconds: number;
  /** Boot time, ms since the epoch on the host's clock (btime). */
  bootMs: number;
}

/** Everything one run of the discovery script tells. */
export interface RemoteScan {
  capabilities: HostCapabilities;
  processes: ProcessInfo[];
  clock: RemoteClock;
  /** The script's own shell: it and its children are left out of the list. */
  scriptPid: number;
}

/** Raised when the output is not the script's (cut short, or another program answered). */
export class DiscoveryOutputError extends Error {
  override name = 'DiscoveryOutputError';
}

interface Facts {
  stats: Map<number, ProcStat>;
  statuses: Map<number, Map<string, string>>;
  cgroups: Map<number, Map<string, string>>;
  fdinfo: Map<number, Map<string, string>>;
  listed: Map<number, Map<number, ListedFd>>;
  targets: Map<string, TargetStat>;
  readable: Set<string>;
  users: Map<number, string>;
  caps: HostCapabilities;
  bootMs: number;
}

/** Parses the whole output of discoveryScript(nonce); throws DiscoveryOutputError if cut. */
export function parseDiscovery(output: Buffer, nonce: string): RemoteScan {
  const sections = splitSections(output.toString('utf8'), nonce);
  if (!sections.has('end')) {
    const got = sections.size === 0 ? 'no section' : `sections up to ${[...sections.keys()].pop()}`;
    throw new DiscoveryOutputError(`the discovery output is incomplete (${got})`);
  }
  const get = (name: Parameters<typeof sections.get>[0]) => sections.get(name) ?? '';
  const scriptPid = Number(get('self').trim());
  const statuses = parseGrepByPid(get('status'), /^(status)$/);
  const users = parsePasswd(get('passwd'));
  const [dateLine = '', uptimeLine = ''] = get('clock').split('\n');
  const bootMs = (parseBootTime(get('btime')) ?? 0) * 1000;
  const facts: Facts = {
    stats: parseStats(get('stat')),
    statuses,
    cgroups: parseGrepByPid(get('cgroup'), /^(cgroup)$/),
    fdinfo: parseGrepByPid(get('fdinfo'), /^fdinfo\/(\d+)$/),
    listed: parseFdListing(get('fds')),
    targets: parseTargetStats(get('stats')),
    readable: parseReadable(get('readable')),
    users,
    caps: capabilitiesOf(get('strace'), get('yama'), statuses.get(scriptPid), users),
    bootMs,
  };

  const exes = parseExeLinks(get('exe'));
  const cmdlines = splitCmdlines(decodeOdHex(get('cmdline')));
  const ours = descendantsOf(scriptPid, facts.stats);
  const kthreadd = kthreaddPid(facts.stats);
  const processes: ProcessInfo[] = [];
  for (const [pid, stat] of facts.stats) {
    if (ours.has(pid) || pid === kthreadd || stat.ppid === kthreadd) continue;
    processes.push(processOf(stat, exes.get(pid) ?? '', cmdlines.get(pid), facts));
  }
  processes.sort((a, b) => a.pid - b.pid);
  finishMethods(processes, facts);

  const clock = {
    nowSeconds: Number(dateLine.trim()) || 0,
    uptimeSeconds: Number(uptimeLine.split(' ')[0]) || 0,
    bootMs,
  };
  return { capabilities: facts.caps, processes, clock, scriptPid };
}

function capabilitiesOf(
  straceText: string,
  yamaText: string,
  selfStatus: Map<string, string> | undefined,
  users: Map<number, string>,
): HostCapabilities {
  const self = parseStatus(selfStatus?.get('status') ?? '');
  const [path = '', ...versionLines] = straceText.split('\n');
  const strace = path.startsWith('/') ? path : null;
  const scope = yamaText.trim() === '' ? NaN : Number(yamaText.trim());
  return {
    uid: self.uid,
    user: users.get(self.uid) ?? String(self.uid),
    isRoot: self.uid === 0,
    strace,
    straceVersion: strace ? parseStraceVersion(versionLines.join('\n')) : null,
    ptraceScope: Number.isInteger(scope) ? scope : null,
    capSysPtrace: hasCapSysPtrace(self.capEff),
  };
}

/**
 * Kernel threads (kthreadd and its children) have no stdout to capture. kthreadd is pid 2 on a
 * host, and absent in a container's PID namespace, where pid 2 is an ordinary process.
 */
function kthreaddPid(stats: Map<number, ProcStat>): number | null {
  const stat = stats.get(KTHREADD_PID);
  return stat && stat.ppid === 0 && stat.comm === 'kthreadd' ? KTHREADD_PID : null;
}

/** The script's shell and every process it started (cat, grep, ls, head...). */
function descendantsOf(root: number, stats: Map<number, ProcStat>): Set<number> {
  const ours = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!ours.has(pid) && ours.has(stat.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  return ours;
}

function processOf(
  stat: ProcStat,
  exe: string,
  cmdline: Buffer | undefined,
  facts: Facts,
): ProcessInfo {
  const { pid } = stat;
  const statusText = facts.statuses.get(pid)?.get('status') ?? '';
  const status = parseStatus(statusText);
  const argv = cmdline ? parseCmdline(cmdline) : [];
  const listed = facts.listed.get(pid);
  const fds: FdTarget[] = [];
  let unreadable: string | undefined;
  if (!listed || [0, 1, 2].some((fd) => listed.get(fd)?.link === null)) {
    unreadable = `cannot read /proc/${pid}/fd (EACCES): not this user's`;
  } else {
    for (let fd = 0; fd < 3; fd++) fds.push(describeFd(pid, fd, listed.get(fd), facts));
  }

  const info: ProcessInfo = {
    pid,
    ppid: stat.ppid,
    uid: status.uid,
    user: facts.users.get(status.uid) ?? String(status.uid),
    // Kernel threads and zombies have an empty cmdline; ps shows their comm in brackets.
    command: argv.length > 0 ? argv.join(' ') : `[${stat.comm}]`,
    argv: argv.length > 0 ? argv : [stat.comm],
    exe,
    comm: stat.comm,
    state: stat.state,
    startedAt: facts.bootMs + Math.round((stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND),
    tracerPid: status.tracerPid,
    threads: stat.threads,
    fds,
    // Filled in by finishMethods(), once the pipe readers are known.
    methods: {} as ProcessInfo['methods'],
  };
  if (unreadable) info.unreadable = unreadable;
  const container = parseContainerHints(facts.cgroups.get(pid)?.get('cgroup') ?? '', statusText);
  if (container) info.container = container;
  return info;
}

// As local discovery: paths need their stat (file or FIFO? its size?), pipes and sockets carry
// their inode in the link, devices need none.
const NEEDS_STAT = new Set<FdTarget['kind']>(['file', 'deleted', 'other']);

function describeFd(pid: number, fd: number, listed: ListedFd | undefined, facts: Facts) {
  if (!listed || listed.link === null) return { fd, kind: 'closed', link: '' } as FdTarget;
  const { link } = listed;
  const target: FdTarget = { fd, kind: fdKindOf(link), link };
  const inode = linkInode(link);
  if (inode !== null) target.inode = inode;
  const st = facts.targets.get(`${pid}/${fd}`);
  if (st && NEEDS_STAT.has(target.kind)) {
    target.inode = st.ino;
    target.dev = st.dev;
    const type = st.mode & S_IFMT;
    if (type === S_IFIFO) target.kind = 'pipe';
    else if (target.kind === 'file' && type !== S_IFREG) target.kind = 'other';
    if ((target.kind === 'file' || target.kind === 'deleted') && type === S_IFREG) {
      target.size = st.size;
    }
  }
  if (target.kind === 'file' || target.kind === 'deleted') {
    const info = parseFdinfo(facts.fdinfo.get(pid)?.get(String(fd)) ?? '');
    if (info) {
      target.append = info.append;
      target.pos = info.pos;
    }
  }
  return target;
}

/** Names each pipe's readers (read-only holders, from the link modes) and picks the methods. */
function finishMethods(processes: ProcessInfo[], facts: Facts): void {
  const comms = new Map([...facts.stats].map(([pid, stat]) => [pid, stat.comm]));
  const readers = new Map<number, { pid: number; comm: string }[]>();
  for (const [pid, fds] of facts.listed) {
    for (const listed of fds.values()) {
      const inode = listed.link?.startsWith('pipe:[') ? linkInode(listed.link) : null;
      if (inode === null || !listed.read || listed.write) continue;
      const list = readers.get(inode) ?? [];
      if (!list.some((r) => r.pid === pid)) list.push({ pid, comm: comms.get(pid) ?? '' });
      readers.set(inode, list);
    }
  }

  for (const info of processes) {
    for (const target of info.fds) {
      if (target.kind !== 'pipe' || target.inode === undefined) continue;
      target.readers = (readers.get(target.inode) ?? []).filter((r) => r.pid !== info.pid);
    }
    info.methods = { '1': methodFor(info, 1, facts, comms), '2': methodFor(info, 2, facts, comms) };
  }
}

function methodFor(
  info: ProcessInfo,
  fd: number,
  facts: Facts,
  comms: Map<number, string>,
): MethodChoice {
  const target = info.fds.find((one) => one.fd === fd) ?? { fd, kind: 'unknown', link: '' };
  const subject = {
    pid: info.pid,
    uid: info.uid,
    state: info.state,
    tracerPid: info.tracerPid,
    tracerComm: info.tracerPid ? (comms.get(info.tracerPid) ?? '') : undefined,
    unreadable: info.unreadable,
  };
  const kind = target.kind;
  const openable =
    (kind === 'file' || kind === 'deleted' || kind === 'pipe') &&
    facts.readable.has(`${info.pid}/${fd}`);
  return chooseMethod(target, subject, facts.caps, openable);
}
