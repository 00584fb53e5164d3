// The argv that runs strace for the trace method, and why each flag is there.

/** System calls that put a process's bytes on a file descriptor and whose bytes strace shows. */
export const DATA_WRITE_CALLS = [
  'write',
  'writev',
  'pwrite64',
  'pwritev',
  'pwritev2',
  'sendto',
  'sendmsg',
  'vmsplice',
] as const;

/**
 * Calls that write to a descriptor bytes that never pass through the process's memory, so strace
 * can only show how many there were. Traced so that the capture can mark the gap instead of
 * silently missing the bytes (coreutils' cat, for one, uses copy_file_range and sendfile).
 */
export const OPAQUE_WRITE_CALLS = ['sendfile', 'splice', 'tee', 'copy_file_range'] as const;

/**
 * Calls that move or close a captured fd, and execve: the capture says when the target's fd 1
 * is closed or points elsewhere, and which program a process started. Without seccomp-bpf
 * (which strace cannot use on a process it attaches to) every system call stops the tracee
 * anyway; these cost strace only a printed line, and they are rare in a writing process.
 * Polling /proc for the same facts would cost a wake-up per interval and miss what happens
 * between two polls.
 */
export const FD_CALLS = ['close', 'dup2', 'dup3', 'execve'] as const;

/**
 * Writes of up to 16 MiB come through whole (DESIGN C06 asks for 10 MB). strace allocates its
 * string buffers from what it meets, not from this limit, so a large limit costs nothing until a
 * large write happens; strace refuses values above 2^30 - 1. A longer write is cut by strace and
 * its WriteEvent says so (full > bytes.length).
 */
export const DEFAULT_STRING_LIMIT = 16 * 1024 * 1024;

export interface StraceArgsOptions {
  strace: string;
  pid: number;
  /** Other processes to attach to: those that hold the target's streams too. */
  others?: readonly number[];
  /** strace's -s; see DEFAULT_STRING_LIMIT. */
  stringLimit?: number;
}

/** Builds strace's argv for attaching to processes and all their threads and children. */
export function buildStraceArgs(options: StraceArgsOptions): string[] {
  const limit = options.stringLimit ?? DEFAULT_STRING_LIMIT;
  const pids = [options.pid, ...(options.others ?? [])];
  for (const pid of pids) {
    if (!Number.isInteger(pid) || pid <= 0)
      throw new RangeError(`expected a positive pid, got ${pid}`);
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 2 ** 30 - 1) {
    throw new RangeError(`expected a string limit from 1 to 2^30-1, got ${limit}`);
  }
  return [
    options.strace,
    // Every thread of the process and every child it starts: they share its stdout.
    '-f',
    // Seconds.microseconds since the epoch, taken at the call's entry on the host's clock.
    '-ttt',
    // Each fd printed with its target (1</dev/pts/3>, 1<pipe:[4711]>): a dup2 onto fd 1 shows
    // on the very next write and a pipe or socket is named by its inode, which following a
    // stream by device and inode needs. It costs strace a readlink per call, measured here at
    // 7% of a traced writer's rate; -yy adds device numbers and socket endpoints that discovery
    // already reads once, for another 6%.
    '-y',
    '-e',
    `trace=${[...DATA_WRITE_CALLS, ...OPAQUE_WRITE_CALLS, ...FD_CALLS].join(',')}`,
    // Signals are not writes, but "signal=none" also hides "+++ killed by SIGX +++": strace
    // prints a death only for signals in this set. Leave out just those that never kill
    // (ignored by default) and that busy processes get often.
    '-e',
    'signal=!SIGCHLD,SIGWINCH,SIGURG,SIGCONT',
    // Printable ASCII as itself, other bytes as \xNN: about one byte of trace per byte of text
    // (-xx would make it four).
    '--strings-in-hex=non-ascii-chars',
    '-s',
    String(limit),
    // The trace on stdout, strace's own messages ("Process N attached", errors) on stderr.
    // Not "-o /dev/stdout": Node's child stdio (and sshd's, on some builds) is a socketpair,
    // and opening a socket through /proc fails with ENXIO. "|cat" makes strace write to a
    // real pipe into cat (run by sh through popen), whose stdout is ours.
    '-o',
    '|cat',
    // The target first: strace attaches in this order, and its "attached" line means tracing.
    ...pids.flatMap((pid) => ['-p', String(pid)]),
  ];
}

/** What the watchdog is told when strace has ended by itself: go without a signal. */
export const WATCHDOG_DONE = 'done\n';

// strace outlives a tracer that dies: SIGKILL fdscope (or lose the link to it) and strace, now
// an orphan, keeps its tracees traced, stopping them at every call, until one of them writes
// and a broken pipe kills it -- forever for a quiet process. So strace runs behind a watchdog
// that holds the read end of a pipe from us: the kernel closes our end when we die, the read
// returns, and the watchdog detaches strace with SIGINT (SIGKILL 5 s later if it still runs;
// the kernel detaches the tracees of a dead tracer). The shell then execs strace, so strace
// keeps its pid and its exit status and our signals reach it directly. The watchdog checks that
// strace is still its parent before each signal, so a pid reused after strace ended is spared.
// POSIX sh only (dash, busybox), as a remote host has nothing more; measured cost: one sh fork.
const WATCHDOG = [
  'exec 3<&0 </dev/null',
  '{',
  '  read -r said <&3',
  '  [ "$said" = done ] && exit 0',
  '  for sig in INT KILL; do',
  '    read -r _ _ _ parent _ </proc/self/stat',
  '    [ "$parent" = $$ ] || exit 0',
  '    kill -s $sig $$',
  '    n=0',
  '    while [ $n -lt 50 ]; do',
  '      read -r _ _ _ parent _ </proc/self/stat',
  '      [ "$parent" = $$ ] || exit 0',
  '      sleep 0.1',
  '      n=$((n + 1))',
  '    done',
  '  done',
  '} >/dev/null 2>&1 &',
  'exec "$@" 3<&-',
].join('\n');

/** Wraps strace's argv so that strace detaches when its stdin (a pipe from us) ends. */
export function withWatchdog(argv: readonly string[]): string[] {
  return ['sh', '-c', WATCHDOG, 'fdscope-watchdog', ...argv];
}
