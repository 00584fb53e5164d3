// Turns strace's output (the flags of strace-args.ts) into WriteEvents, chunk by chunk.
// A byte scanner over Buffers: lines may be cut anywhere by the chunking, calls from several
// threads arrive in two halves, and a string's bytes may hold anything strace escaped.
import type { WriteEvent } from './source';
import { ValueReader } from './strace-strings';

const NL = 0x0a;
const SPACE = 0x20;
const DOT = 0x2e;
const LT = 0x3c;
const LPAREN = 0x28;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const PLUS = 0x2b;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const EQUALS = 0x3d;
const QUESTION = 0x3f;

/** A write as traced: a WriteEvent plus the fd's target as strace -y printed it. */
export interface TracedWrite extends WriteEvent {
  /** "/dev/pts/3", "pipe:[4711]", "socket:[99]"; null when strace did not print one. */
  target: string | null;
  /** The system call: "write", "sendmsg", "sendfile"... */
  call: string;
  /** True for calls whose bytes never pass through the process (sendfile, splice): strace
   * shows their count only, so bytes is empty and full says how many were written. */
  opaque: boolean;
}

/** How a traced process or thread ended, from strace's "+++ ... +++" lines. */
export interface TracedExit {
  pid: number;
  t: number;
  /** Exit status, or null when killed by a signal. */
  status: number | null;
  /** "SIGKILL", or null when it exited. */
  signal: string | null;
  coreDumped: boolean;
}

/** What one chunk of strace output held. */
export interface ParseBatch {
  writes: TracedWrite[];
  exits: TracedExit[];
}

/** Counters over everything parsed so far. */
export interface ParserStats {
  lines: number;
  /** System calls strace reported (any fd, failed ones too): each stopped the process twice. */
  calls: number;
  /** Lines that were not of a shape this parser knows. */
  unknownLines: number;
  /** Second halves with no first half kept: calls on other fds, or in progress at attach. */
  unpairedResumes: number;
}

export interface StraceParserOptions {
  /** Only writes to these fds become events. */
  fds: readonly number[];
  /** The pid of lines without a pid prefix (strace omits it while it traces one process). */
  defaultPid: number;
}

// How each traced call carries its data: a string, an iovec array, a msghdr, or no bytes at all.
const STRING = 0;
const IOV = 1;
const MSGHDR = 2;
const OPAQUE = 3;

interface CallKind {
  label: string;
  name: Buffer;
  shape: number;
  /** Which argument is the fd written to. */
  fdArg: number;
}

const CALLS: CallKind[] = [
  ['write', STRING, 0],
  ['writev', IOV, 0],
  ['pwrite64', STRING, 0],
  ['pwritev', IOV, 0],
  ['pwritev2', IOV, 0],
  ['sendto', STRING, 0],
  ['sendmsg', MSGHDR, 0],
  ['vmsplice', IOV, 0],
  ['sendfile', OPAQUE, 0],
  ['splice', OPAQUE, 2],
  ['tee', OPAQUE, 1],
  ['copy_file_range', OPAQUE, 2],
].map(([name, shape, fdArg]) => ({
  label: name as string,
  name: Buffer.from(name as string),
  shape: shape as number,
  fdArg: fdArg as number,
}));

const UNFINISHED = Buffer.from(' <unfinished ...>');
const DETACHED = Buffer.from(' <detached ...>');
const RESUMED_OPEN = Buffer.from('<... ');
const EXITED = Buffer.from('+++ exited with ');
const KILLED = Buffer.from('+++ killed by ');
const CORE = Buffer.from('(core dumped)');

// A call printed in two halves, waiting for its second: the bytes from the first.
interface Pending {
  kind: CallKind;
  t: number;
  fd: number;
  bytes: Buffer;
  target: string | null;
}

/** Parses strace output incrementally; feed it chunks, collect each chunk's events. */
export class StraceParser {
  readonly stats: ParserStats = { lines: 0, calls: 0, unknownLines: 0, unpairedResumes: 0 };
  private readonly fds: Set<number>;
  private readonly defaultPid: number;
  private readonly reader = new ValueReader();
  private readonly pending = new Map<number, Pending>();
  private readonly targets = new Map<number, { raw: Buffer; text: string }>();
  private partial: Buffer[] = [];
  private batch: ParseBatch = { writes: [], exits: [] };
  // Decoded bytes go into one arena per chunk; events hold slices of it.
  private arena: Buffer = Buffer.alloc(0);
  private arenaPos = 0;

  constructor(options: StraceParserOptions) {
    this.fds = new Set(options.fds);
    this.defaultPid = options.defaultPid;
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
    this.batch = { writes: [], exits: [] };
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
    for (let arg = 0; arg < kind.fdArg; arg++) {
      r.skipValue();
      r.nextArg();
    }
    const fd = readInt(r);
    if (!this.fds.has(fd)) return;
    const target = this.readTarget(r, fd);

    const dataStart = r.out;
    if (kind.shape !== OPAQUE && r.nextArg()) {
      if (kind.shape === STRING) r.readData();
      else if (kind.shape === IOV) r.readIovArray();
      else r.readMsghdr();
    }
    const bytes = this.arena.subarray(dataStart, r.out);
    this.arenaPos = r.out;

    if (endsWith(src, r.pos, end, UNFINISHED)) {
      this.pending.set(pid, { kind, t, fd, bytes, target });
      return;
    }
    if (endsWith(src, r.pos, end, DETACHED)) return;
    this.emit(kind, pid, t, fd, bytes, target, returnValue(src, r.pos, end));
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
    if (endsWith(src, j, end, UNFINISHED)) return;
    this.pending.delete(pid);
    if (endsWith(src, j, end, DETACHED)) return;
    const ret = returnValue(src, j, end);
    this.emit(first.kind, pid, first.t, first.fd, first.bytes, first.target, ret);
  }

  private emit(
    kind: CallKind,
    pid: number,
    t: number,
    fd: number,
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
    this.batch.writes.push({ t, pid, fd, bytes, full: ret, target, call: kind.label, opaque });
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
      this.batch.exits.push({ pid, t, status: null, signal, coreDumped });
    }
    // Other "+++ ... +++" lines (superseded by execve) end no process we follow.
    this.pending.delete(pid);
  }

  private readTarget(r: ValueReader, fd: number): string | null {
    const src = r.src;
    if (src[r.pos] !== LT) return null;
    const s = r.pos + 1;
    r.skipTarget();
    const e = r.pos - 1;
    const known = this.targets.get(fd);
    if (known !== undefined && sameBytes(src, s, e, known.raw)) return known.text;
    const raw = Buffer.from(src.subarray(s, e));
    const text = decodeTarget(raw);
    this.targets.set(fd, { raw, text });
    return text;
  }
}

// A path as strace -y prints it: C escapes (\n, \74 for <), no quotes.
function decodeTarget(raw: Buffer): string {
  const reader = new ValueReader();
  const quoted = Buffer.concat([Buffer.from('"'), raw, Buffer.from('"')]);
  const out = Buffer.allocUnsafe(raw.length);
  reader.reset(quoted, 0, quoted.length, out, 0);
  reader.readString();
  return out.toString('utf8', 0, reader.out);
}

function findCall(src: Buffer, s: number, e: number): CallKind | null {
  for (const kind of CALLS) if (sameBytes(src, s, e, kind.name)) return kind;
  return null;
}

function readInt(r: ValueReader): number {
  const src = r.src;
  let sign = 1;
  if (src[r.pos] === MINUS) {
    sign = -1;
    r.pos++;
  }
  let n = 0;
  const s = r.pos;
  while (src[r.pos] >= ZERO && src[r.pos] <= NINE) n = n * 10 + src[r.pos++] - ZERO;
  return r.pos > s ? sign * n : Number.NaN;
}

// The value after the last " = " of the line: a count, -1 (failed) or ? (unknown, -1 here).
function returnValue(src: Buffer, from: number, end: number): number {
  let i = end - 3;
  while (i >= from && !(src[i] === SPACE && src[i + 1] === EQUALS && src[i + 2] === SPACE)) i--;
  if (i < from) return -1;
  i += 3;
  if (src[i] === MINUS || src[i] === QUESTION) return -1;
  let n = 0;
  const s = i;
  while (src[i] >= ZERO && src[i] <= NINE) n = n * 10 + src[i++] - ZERO;
  return i > s ? n : -1;
}

function sameBytes(src: Buffer, s: number, e: number, word: Buffer): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (src[s + k] !== word[k]) return false;
  return true;
}

function startsWith(src: Buffer, s: number, end: number, word: Buffer): boolean {
  return end - s >= word.length && sameBytes(src, s, s + word.length, word);
}

function endsWith(src: Buffer, from: number, end: number, word: Buffer): boolean {
  return end - from >= word.length && sameBytes(src, end - word.length, end, word);
}
