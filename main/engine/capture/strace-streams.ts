// Which stream a traced write belongs to. A stream is an open file (a pipe, a socket, a file)
// that any process may hold on any fd: children of a shell script share its stdout pipe. strace
// -y names each fd's target, so a write belongs to a stream when its target is the stream's,
// whoever wrote it and on whatever fd. The fds of the target process itself (its owner tasks)
// are followed wherever they point: when one moves (dup2, or a close and a reopen), what the
// target writes there is captured too -- but not what others write there. dash redirects a
// command's fds in the shell itself before it forks (`cmd >/dev/null`): were the new target to
// join the stream, the output the script throws away would be captured as its stdout.

/** A target as -y printed it, kept per fd number to compare the next line's bytes with. */
export interface TargetEntry {
  raw: Buffer;
  text: string;
  /** The stream (the target process's fd number) it belongs to, or -1. */
  stream: number;
  /** Several streams have this target (2>&1): a watched fd number picks its own. */
  shared: boolean;
}

export interface StreamTargetsOptions {
  /** The target process's fds that are captured: each is a stream, named by its number. */
  fds: readonly number[];
  /**
   * Each stream's target when the capture started, as /proc/PID/fd/N reads. Without them, a
   * write belongs to a stream by its fd number alone, whoever makes it.
   */
  targets?: ReadonlyMap<number, string>;
  /** True for a task (thread) of the target process; its fds define the streams. */
  isOwner: (pid: number) => boolean;
}

/** The target → stream map of one capture, and its per-fd cache of printed targets. */
export class StreamTargets {
  readonly fds: Set<number>;
  /** False when no targets were given: streams are fd numbers then. */
  readonly byTarget: boolean;
  private readonly streams = new Map<string, number[]>();
  /** What each watched fd of the target process points to now. */
  private readonly current = new Map<number, string>();
  private readonly cache = new Map<number, TargetEntry>();
  private readonly owners = new Map<number, boolean>();

  constructor(private readonly options: StreamTargetsOptions) {
    this.fds = new Set(options.fds);
    this.byTarget = options.targets !== undefined && options.targets.size > 0;
    for (const [fd, target] of options.targets ?? []) {
      this.current.set(fd, target);
      this.join(fd, target);
    }
  }

  /** Whether a task belongs to the target process; asked once per task. */
  isOwner(pid: number): boolean {
    let owner = this.owners.get(pid);
    if (owner === undefined) {
      owner = this.options.isOwner(pid);
      this.owners.set(pid, owner);
    }
    return owner;
  }

  /** The entry for fd's target printed at src[s, e): cached while fd's target stays. */
  entry(src: Buffer, s: number, e: number, fd: number, decode: (raw: Buffer) => string) {
    const known = this.cache.get(fd);
    if (known !== undefined && sameBytes(src, s, e, known.raw)) return known;
    const raw = Buffer.from(src.subarray(s, e));
    const text = decode(raw);
    const streams = this.streams.get(text);
    const entry: TargetEntry = {
      raw,
      text,
      stream: streams?.[0] ?? -1,
      shared: (streams?.length ?? 0) > 1,
    };
    this.cache.set(fd, entry);
    return entry;
  }

  /** The stream of a write on fd by pid to a target (null: none printed); -1 when none. */
  streamOf(entry: TargetEntry | null, fd: number, pid: number): number {
    if (!this.byTarget || entry === null) return this.fds.has(fd) ? fd : -1;
    if (entry.stream >= 0) {
      if (entry.shared && this.fds.has(fd) && this.streams.get(entry.text)!.includes(fd)) return fd;
      return entry.stream;
    }
    // The target process writes on a captured fd to a target of its own: the fd has moved (a
    // close and an open, or a dup2 from a thread not known as its own at the time).
    if (this.fds.has(fd) && this.isOwner(pid)) return fd;
    return -1;
  }

  /** The target fd of the target process points to now, when it is captured; else null. */
  currentOf(fd: number): string | null {
    return this.current.get(fd) ?? null;
  }

  /** fd of the target process now points to target (null: closed). */
  move(fd: number, target: string | null): void {
    if (target === null) this.current.delete(fd);
    else this.current.set(fd, target);
  }

  private join(stream: number, target: string): void {
    const list = this.streams.get(target) ?? [];
    if (!list.includes(stream)) list.push(stream);
    this.streams.set(target, list);
  }
}

/** True when src[s, e) holds exactly word's bytes. */
export function sameBytes(src: Buffer, s: number, e: number, word: Buffer): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (src[s + k] !== word[k]) return false;
  return true;
}
