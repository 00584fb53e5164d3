// Turns strace's output (the flags of strace-args.ts) into WriteEvents, chunk by chunk.
// A byte scanner over Buffers: lines may be cut anywhere by the chunking, calls from several
// threads arrive in two halves, and a string's bytes may hold anything strace escaped.
import {
  CLONE,
  CLOSE,
  EXEC,
  IOV,
  OPAQUE,
  STRING,
  decodeTarget,
  endsWith,
  findCall,
  readInt,
  returnValue,
  startsWith,
  type CallKind,
} from './strace-calls';
import type {
  FdChange,
  ParseBatch,
  ParserStats,
  StraceParserOptions,
  TracedExec,
  TracedExit,
} from './strace-events';
import { StreamTargets, sameBytes, type TargetEntry } from './strace-streams';
import { ValueReader } from './strace-strings';

export type * from './strace-events';

const NL = 0x0a;
const SPACE = 0x20;
const DOT = 0x2e;
const LT = 0x3c;
const LPAREN = 0x28;
const ZERO = 0x30;
const NINE = 0x39;
const PLUS = 0x2b;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const UNFINISHED = Buffer.from(' <unfinished ...>');
const DETACHED = Buffer.from(' <detached ...>');
const RESUMED_OPEN = Buffer.from('<... ');
const EXITED = Buffer.from('+++ exited with ');
const KILLED = Buffer.from('+++ killed by ');
const CORE = Buffer.from('(core dumped)');
const EMPTY = Buffer.alloc(0);
const QUESTION = 0x3f;
const GT = 0x3e;
const CLONE_THREAD = Buffer.from('CLONE_THREAD');
const UNKNOWN = Buffer.from(' = ?');
const UNAVAILABLE = Buffer.from(' = ? <unavailable>');

// A call printed in two halves, waiting for its second: the bytes from the first.
interface Pending {
  kind: CallKind;
  t: number;
  fd: number;
  callFd: number;
  bytes: Buffer;
  target: string | null;
  /** For close, dup2, dup3, execve and clone: what they do, kept until the call returns. */
  change?: FdChange;
  exec?: TracedExec;
  clone?: Clone;
}

interface Clone {
  parent: number;
  /** CLONE_THREAD: the new task is a thread of the parent's process. */
  thread: boolean;
}

type FdOp = Pick<Pending, 'change' | 'exec' | 'clone'>;

/** Parses strace output incrementally; feed it chunks, collect each chunk's events. */
export class StraceParser {
  readonly stats: ParserStats = {
    lines: 0,
    calls: 0,
    unknownLines: 0,
    unpairedResumes: 0,
    joined: 0,
  };
  private readonly defaultPid: number;
  private readonly streams: StreamTargets;
  private readonly reader = new ValueReader();
  private readonly pending = new Map<number, Pending>();
  private partial: Buffer[] = [];
  private batch: ParseBatch = { writes: [], exits: [], changes: [], execs: [] };
  // Decoded bytes go into one arena per chunk; events hold slices of it.
  private arena: Buffer = Buffer.alloc(0);
  private arenaPos = 0;

  constructor(options: StraceParserOptions) {
    this.defaultPid = options.defaultPid;
    const isOwner = options.isOwner ?? ((pid: number) => pid === options.defaultPid);
    this.streams = new StreamTargets({ fds: options.fds, targets: options.targets, isOwner });
  }

  /** Whether a task belongs to the target process (asked once per task, then kept). */
  isOwner(pid: number): boolean {
    return this.streams.isOwner(pid);
  }

  /** The process a task belongs to, when its clone was seen; else the task itself. */
  processOf(pid: number): number {
    return this.streams.processOf(pid);
  }

  /** Parses one chunk; returns the events of the lines it completed. */
  push(chunk: Buffer): ParseBatch {
    let start = 0;
    if (this.partial.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.partial.push(chunk);
        return this.take();
      }
      const line = Buffer.concat([...this.partial, chunk.subarray(0, nl)]);
      this.partial = [];
      this.useArena(line.length);
      this.parseLine(line, 0, line.length);
      start = nl + 1;
    }
    this.arena = Buffer.alloc(0);
    this.arenaPos = 0;
    const arenaSize = chunk.length - start;
    let nl = chunk.indexOf(NL, start);
    while (nl >= 0) {
      if (this.arena.length === 0) this.useArena(arenaSize);
      this.parseLine(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    this.compactArena();
    return this.take();
  }

  /** Parses what is left when the output has ended (a last line without its newline). */
  end(): ParseBatch {
    if (this.partial.length > 0) {
      const line = Buffer.concat(this.partial);
      this.partial = [];
      this.useArena(line.length);
      this.parseLine(line, 0, line.length);
    }
    this.pending.clear();
    return this.take();
  }

  private take(): ParseBatch {
    const batch = this.batch;
    this.batch = { writes: [], exits: [], changes: [], execs: [] };
    return batch;
  }

  // Events hold slices of the arena, and a slice keeps the whole arena alive: when the chunk's
  // events used little of it, move them to a buffer of their own size.
  private compactArena(): void {
    const arena = this.arena;
    if (this.arenaPos === 0 || this.arenaPos > arena.length / 2) return;
    const compact = Buffer.from(arena.subarray(0, this.arenaPos));
    const move = (bytes: Buffer): Buffer => {
      // Small buffers share Node's pool, so the same ArrayBuffer is not enough: check the range.
      const offset = bytes.byteOffset - arena.byteOffset;
      if (bytes.buffer !== arena.buffer || offset < 0 || offset >= arena.length) return bytes;
      return compact.subarray(offset, offset + bytes.length);
    };
    for (const write of this.batch.writes) write.bytes = move(write.bytes);
    for (const first of this.pending.values()) first.bytes = move(first.bytes);
    this.arena = compact;
  }

  private useArena(size: number): void {
    // Decoded data is never longer than its escaped form, so the arena cannot overflow.
    this.arena = Buffer.allocUnsafe(size);
    this.arenaPos = 0;
  }

  private parseLine(src: Buffer, start: number, end: number): void {
    this.stats.lines++;
    let i = start;
    let pid = this.defaultPid;

    // "[pid  123] " without -o, "123   " with it; a timestamp follows either way.
    if (src[i] === LBRACKET) {
      i += 4;
      while (src[i] === SPACE) i++;
      pid = 0;
      while (src[i] >= ZERO && src[i] <= NINE) pid = pid * 10 + src[i++] - ZERO;
      if (src[i] === RBRACKET) i++;
      while (src[i] === SPACE) i++;
    } else {
      let j = i;
      let n = 0;
      while (src[j] >= ZERO && src[j] <= NINE) n = n * 10 + src[j++] - ZERO;
      if (j > i && src[j] === SPACE) {
        pid = n;
        i = j;
        while (src[i] === SPACE) i++;
      }
    }

    let sec = 0;
    let t = 0;
    const t0 = i;
    while (src[i] >= ZERO && src[i] <= NINE) sec = sec * 10 + src[i++] - ZERO;
    if (i > t0 && src[i] === DOT) {
      i++;
      let frac = 0;
      let scale = 1_000_000;
      while (src[i] >= ZERO && src[i] <= NINE) {
        scale /= 10;
        frac += (src[i++] - ZERO) * scale;
      }
      t = sec * 1_000_000 + Math.round(frac);
      if (src[i] === SPACE) i++;
    } else {
      i = t0;
    }

    const b = src[i];
    if (b === PLUS) this.parseExit(src, i, end, pid, t);
    else if (b === LT && startsWith(src, i, end, RESUMED_OPEN)) this.parseResumed(src, i, end, pid);
    else if (b === 0x2d /* --- signal --- */) return;
    else this.parseCall(src, i, end, pid, t);
  }

  private parseCall(src: Buffer, i: number, end: number, pid: number, t: number): void {
    const nameStart = i;
    while (i < end && src[i] !== LPAREN) i++;
    const kind = findCall(src, nameStart, i);
    if (kind === null || i >= end) {
      this.stats.unknownLines++;
      return;
    }
    this.stats.calls++;
    i++;

    const r = this.reader;
    r.reset(src, i, end, this.arena, this.arenaPos);
    if (kind.shape >= CLOSE) {
      this.parseFdCall(kind, r, end, pid, t);
      return;
    }
    for (let arg = 0; arg < kind.fdArg; arg++) {
      r.skipValue();
      r.nextArg();
    }
    const callFd = readInt(r);
    const streams = this.streams;
    // Without targets to follow, a write on an fd not captured needs no more reading.
    if (!streams.byTarget && !streams.fds.has(callFd)) return;
    const entry = this.readTarget(r, callFd);
    let fd = callFd;
    // The common case, a write on the stream's own fd number, decided without a call.
    if (entry === null || entry.stream !== callFd || entry.shared) {
      fd = streams.streamOf(entry, callFd, pid);
      if (fd < 0) return;
      if (entry !== null && entry.stream !== fd && streams.byTarget) {
        this.ownerMoved(entry, fd, callFd, pid, t);
      }
    }
    const target = entry === null ? null : entry.text;

    const dataStart = r.out;
    if (kind.shape !== OPAQUE && r.nextArg()) {
      if (kind.shape === STRING) r.readData();
      else if (kind.shape === IOV) r.readIovArray();
      else r.readMsghdr();
    }
    const bytes = this.arena.subarray(dataStart, r.out);
    this.arenaPos = r.out;

    if (endsWith(src, r.pos, end, UNFINISHED) || diedInCall(src, end)) {
      this.pending.set(pid, { kind, t, fd, callFd, bytes, target });
      return;
    }
    if (endsWith(src, r.pos, end, DETACHED)) return;
    this.emit(kind, pid, t, fd, callFd, bytes, target, returnValue(src, r.pos, end));
  }

  // A write by the target process on a captured fd to a target the stream has not had: the fd
  // moved without a dup2 seen (closed and opened again). Writes by others to their own fd 1
  // never get here: their targets are not the stream's and they are not owners.
  private ownerMoved(entry: TargetEntry, fd: number, callFd: number, pid: number, t: number) {
    if (callFd !== fd || !this.streams.isOwner(pid)) return;
    const from = this.streams.currentOf(fd);
    if (from === entry.text) return;
    this.streams.move(fd, entry.text);
    this.batch.changes.push({ t, pid, fd, from, to: entry.text, call: 'write' });
  }

  // close(fd), dup2(old, new), dup3(old, new, flags), execve(path, ...): only the target
  // process's captured fds matter, and execve of any traced process.
  private parseFdCall(kind: CallKind, r: ValueReader, end: number, pid: number, t: number) {
    const src = r.src;
    let change: FdChange | undefined;
    let exec: TracedExec | undefined;
    let clone: Clone | undefined;
    if (kind.shape === CLONE) {
      const at = src.indexOf(CLONE_THREAD, r.pos);
      clone = { parent: pid, thread: at >= 0 && at < end };
    } else if (kind.shape === EXEC) {
      const at = r.out;
      r.readData();
      exec = { t, pid, program: this.arena.toString('utf8', at, r.out) };
    } else {
      const first = readInt(r);
      const firstTarget = this.readTarget(r, first)?.text ?? null;
      if (kind.shape === CLOSE) {
        if (this.streams.fds.has(first) && this.streams.isOwner(pid)) {
          change = { t, pid, fd: first, from: firstTarget, to: null, call: kind.label };
        }
      } else {
        r.nextArg();
        const second = readInt(r);
        const secondTarget = this.readTarget(r, second)?.text ?? null;
        if (second !== first && this.streams.fds.has(second) && this.streams.isOwner(pid)) {
          const from = secondTarget;
          change = { t, pid, fd: second, from, to: firstTarget, call: kind.label };
        }
      }
      if (change === undefined) return;
    }
    const op = { change, exec, clone };
    if (endsWith(src, r.pos, end, UNFINISHED)) {
      const bytes = EMPTY;
      this.pending.set(pid, { kind, t, fd: -1, callFd: -1, bytes, target: null, ...op });
      return;
    }
    if (endsWith(src, r.pos, end, DETACHED)) return;
    this.settleFdCall(op, returnValue(src, r.pos, end));
  }

  private settleFdCall({ change, exec, clone }: FdOp, ret: number) {
    // A new task: a thread of its parent's process, or a process of its own.
    if (clone !== undefined) {
      if (ret > 0) this.streams.cloned(clone.parent, ret, clone.thread);
      return;
    }
    if (exec !== undefined) {
      if (ret === 0) this.batch.execs.push(exec);
      return;
    }
    if (change === undefined || ret < 0) return;
    this.streams.move(change.fd, change.to);
    this.batch.changes.push(change);
  }

  private parseResumed(src: Buffer, i: number, end: number, pid: number): void {
    const first = this.pending.get(pid);
    if (first === undefined) {
      // A call on an fd we do not follow, or one in progress when strace attached.
      this.stats.unpairedResumes++;
      return;
    }
    const nameStart = i + RESUMED_OPEN.length;
    let j = nameStart;
    while (j < end && src[j] !== SPACE) j++;
    if (!sameBytes(src, nameStart, j, first.kind.name)) {
      this.stats.unknownLines++;
      return;
    }
    // "<... write resumed> <unfinished ...>": interrupted again; the first half still holds.
    // "= ?" at the end: the process died in the call; its death line settles the bytes.
    if (endsWith(src, j, end, UNFINISHED) || diedInCall(src, end)) return;
    this.pending.delete(pid);
    if (endsWith(src, j, end, DETACHED)) return;
    const ret = returnValue(src, j, end);
    this.stats.joined++;
    if (first.kind.shape >= CLOSE) {
      this.settleFdCall(first, ret);
      return;
    }
    this.emit(first.kind, pid, first.t, first.fd, first.callFd, first.bytes, first.target, ret);
  }

  private emit(
    kind: CallKind,
    pid: number,
    t: number,
    fd: number,
    callFd: number,
    bytes: Buffer,
    target: string | null,
    ret: number,
  ): void {
    // Failed calls (-1 EAGAIN, ? ERESTARTSYS) and empty writes put nothing on the stream.
    if (!(ret > 0)) return;
    // A short write put only the first ret bytes on the stream. Bytes strace cut (or never
    // saw, for sendfile and splice) stay missing: full says how many there were.
    if (bytes.length > ret) bytes = bytes.subarray(0, ret);
    const opaque = kind.shape === OPAQUE;
    const call = kind.label;
    this.batch.writes.push({ t, pid, fd, bytes, full: ret, target, call, opaque, callFd });
  }

  private parseExit(src: Buffer, i: number, end: number, pid: number, t: number): void {
    if (startsWith(src, i, end, EXITED)) {
      let j = i + EXITED.length;
      let status = 0;
      while (src[j] >= ZERO && src[j] <= NINE) status = status * 10 + src[j++] - ZERO;
      this.batch.exits.push({ pid, t, status, signal: null, coreDumped: false });
    } else if (startsWith(src, i, end, KILLED)) {
      const s = i + KILLED.length;
      let j = s;
      while (j < end && src[j] !== SPACE) j++;
      const signal = src.toString('latin1', s, j);
      const coreDumped = src.indexOf(CORE, j) >= 0 && src.indexOf(CORE, j) < end;
      const exit: TracedExit = { pid, t, status: null, signal, coreDumped };
      // Killed between a write's two halves: strace never saw how much went out. A write to a
      // pipe with room is done before the kill lands (the reader gets it), so keep its bytes
      // and say they are unsure.
      const first = this.pending.get(pid);
      if (first !== undefined && first.kind.shape < CLOSE && first.bytes.length > 0) {
        const { kind, fd, callFd, bytes, target } = first;
        this.emit(kind, pid, first.t, fd, callFd, bytes, target, bytes.length);
        exit.inFlight = bytes.length;
      }
      this.batch.exits.push(exit);
    }
    // Other "+++ ... +++" lines (superseded by execve) end no process we follow.
    this.pending.delete(pid);
  }

  private readTarget(r: ValueReader, fd: number): TargetEntry | null {
    const src = r.src;
    if (src[r.pos] !== LT) return null;
    const s = r.pos + 1;
    r.skipTarget();
    return this.streams.entry(src, s, r.pos - 1, fd, decodeTarget);
  }
}

// "= ?" or "= ? <unavailable>" ends the line of a call whose process died in it (SIGKILL), its
// result never known; "= ? ERESTARTSYS" is a call to be restarted, and is not this.
function diedInCall(src: Buffer, end: number): boolean {
  // Most lines end in a count: one byte tells.
  const last = src[end - 1];
  if (last !== QUESTION && last !== GT) return false;
  return endsWith(src, 0, end, UNKNOWN) || endsWith(src, 0, end, UNAVAILABLE);
}
