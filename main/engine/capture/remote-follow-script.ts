// The remote side of follow-file: one long-running POSIX sh loop (dash, bash, busybox ash) that
// keeps /proc/PID/fd/N open on its own descriptor and copies what is appended, with dd.

/** What the script says on stderr, one line each, besides the tools' own errors. */
export const FOLLOW_MARK = {
  start: 'fdscope-start ',
  truncated: 'fdscope-truncated ',
  end: 'fdscope-end ',
} as const;

/** Exit statuses of the script that say why it could not start. */
export const FOLLOW_EXIT = { noProcess: 3, notFile: 4, cannotOpen: 5 } as const;

/**
 * Arguments: $1 pid, $2 fd, $3 where to start ('end', or a byte offset), $4 the idle poll in
 * seconds. Its own descriptor 3 reads the file by its inode, so a renamed or deleted file is
 * still followed, and whatever the process wrote before exiting is still read.
 *
 * dd copies to EOF on each round; a round that moved nothing is idle: then the process is
 * checked (builtins only), the fd's target and the file's size too (one `stat`, when the host
 * has it: without it, truncation and a change of target go unseen), and the loop sleeps. The
 * script ends when its stdin reaches EOF (the capture stopped, or the link to the host
 * dropped), so nothing is left running on the host whatever the host's way of ending commands.
 */
export const FOLLOW_SCRIPT = `P=$1 N=$2 FROM=$3 POLL=$4
f=/proc/$P/fd/$N
exec 5<&0
{ cat <&5; kill -s TERM $$; } >/dev/null 2>&1 &
w=$!
exec 5<&-
stop() { kill $w 2>/dev/null; exit "$1"; }
ticks() {
  t=
  read -r st < /proc/$P/stat 2>/dev/null || return 1
  st=\${st##*) }
  set -- $st
  case $1 in Z|X) return 1;; esac
  t=\${20}
}
ticks || { echo "no such process: $P" >&2; stop ${FOLLOW_EXIT.noProcess}; }
t0=$t
[ -f "$f" ] || { echo "fd $N of $P is not a regular file" >&2; stop ${FOLLOW_EXIT.notFile}; }
exec 3< "$f" || stop ${FOLLOW_EXIT.cannotOpen}
s=$(command -v stat)
pos() {
  p=0
  while read -r k v; do [ "$k" = pos: ] && { p=$v; return; }; done < /proc/$$/fdinfo/3
}
if [ "$FROM" = end ]; then
  if [ -n "$s" ]; then dd bs=1 skip="$(stat -L -c %s /proc/$$/fd/3)" count=0 <&3 2>/dev/null
  else dd bs=65536 <&3 >/dev/null 2>&1; fi
elif [ "$FROM" -gt 0 ]; then dd bs=1 skip="$FROM" count=0 <&3 2>/dev/null; fi
pos
echo "${FOLLOW_MARK.start}$p" >&2
while :; do
  b=$p
  dd bs=65536 <&3 2>/dev/null
  pos
  [ "$p" != "$b" ] && continue
  ticks
  if [ "$t" != "$t0" ]; then
    dd bs=65536 <&3 2>/dev/null
    echo "${FOLLOW_MARK.end}process exited" >&2
    stop 0
  fi
  # Every idle round: a truncation must be seen before the file grows past our offset again.
  if [ -n "$s" ]; then
    set -- $(stat -L -c '%d:%i %s' /proc/$$/fd/3 "$f" 2>/dev/null)
    if [ "$1" != "$3" ]; then
      dd bs=65536 <&3 2>/dev/null
      l=$(readlink "$f" 2>/dev/null) && l="now points to $l" || l="was closed"
      echo "${FOLLOW_MARK.end}fd $N $l" >&2
      stop 0
    fi
    if [ "$2" -lt "$p" ]; then
      echo "${FOLLOW_MARK.truncated}$p" >&2
      exec 3< "$f"
      p=0
      continue
    fi
  fi
  sleep "$POLL" 2>/dev/null || sleep 1
done
`;
