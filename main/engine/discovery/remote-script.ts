// The shell script that discovers a remote host in one round trip: POSIX sh and /proc only,
// runnable by dash, bash and busybox ash alike, with busybox's own applets as the only tools.

/** The section names the script prints, in order, each after a marker line. */
export const SECTIONS = [
  'self',
  'clock',
  'yama',
  'strace',
  'passwd',
  'btime',
  'stat',
  'status',
  'cgroup',
  'exe',
  'fds',
  'fdinfo',
  'stats',
  'readable',
  'cmdline',
  'end',
] as const;

export type SectionName = (typeof SECTIONS)[number];

/** A marker nonce: letters and digits only, so it needs no quoting and cannot be forged. */
export function isNonce(text: string): boolean {
  return /^[A-Za-z0-9]{8,64}$/.test(text);
}

/**
 * The script, with a per-run nonce in its section markers: a process whose name or command line
 * prints a marker-like line cannot pass it for a section, since it cannot know the nonce.
 *
 * Cost is a constant dozen programs run whatever the number of processes (globs and builtins do
 * the per-process work): on a remote host each fork costs about a millisecond, a per-process
 * loop of programs would cost seconds.
 */
export function discoveryScript(nonce: string): string {
  if (!isNonce(nonce)) throw new RangeError(`expected a nonce of 8-64 letters, got "${nonce}"`);
  return `M='@@${nonce}'
LC_ALL=C; export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH
echo "$M self"; echo "$$"
echo "$M clock"; date +%s; cat /proc/uptime
echo "$M yama"; cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null
echo "$M strace"; s=$(command -v strace) && { echo "$s"; "$s" -V 2>&1; }
echo "$M passwd"; cat /etc/passwd 2>/dev/null
echo "$M btime"; grep '^btime' /proc/stat
echo "$M stat"; cat /proc/[0-9]*/stat 2>/dev/null
echo "$M status"; grep -H -E '^(Uid|TracerPid|CapEff|NSpid):' /proc/[0-9]*/status 2>/dev/null
echo "$M cgroup"; grep -H '' /proc/[0-9]*/cgroup 2>/dev/null
echo "$M exe"; ls -l /proc/[0-9]*/exe 2>/dev/null
echo "$M fds"; ls -l /proc/[0-9]*/fd 2>/dev/null
echo "$M fdinfo"; grep -H -E '^(pos|flags):' /proc/[0-9]*/fdinfo/[12] 2>/dev/null
echo "$M stats"
command -v stat >/dev/null 2>&1 && stat -L -c '%n %d %i %s %f' /proc/[0-9]*/fd/[012] 2>/dev/null
echo "$M readable"; for f in /proc/[0-9]*/fd/[12]; do [ -r "$f" ] && echo "$f"; done
echo "$M cmdline"; head -c 65536 /proc/[0-9]*/cmdline 2>/dev/null | od -An -v -tx1
echo "$M end"
`;
}
