// The shapes of the calls the parser knows, and small readers of a line's parts.
import { sameBytes } from './strace-streams';
import { ValueReader } from './strace-strings';

const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;
const EQUALS = 0x3d;
const QUESTION = 0x3f;

// How each traced call carries its data: a string, an iovec array, a msghdr, or no bytes at all.
export const STRING = 0;
export const IOV = 1;
export const MSGHDR = 2;
export const OPAQUE = 3;
// Calls that change what an fd points to, and execve: no bytes, but the capture says so.
export const CLOSE = 4;
export const DUP = 5;
export const EXEC = 6;

/** A system call the parser knows: its name, how it carries data, where its fd is. */
export interface CallKind {
  label: string;
  name: Buffer;
  shape: number;
  /** Which argument is the fd written to. */
  fdArg: number;
}

/** Every call traced (strace-args.ts), the most frequent first. */
export const CALLS: CallKind[] = [
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
  ['close', CLOSE, 0],
  ['dup2', DUP, 1],
  ['dup3', DUP, 1],
  ['execve', EXEC, 0],
].map(([name, shape, fdArg]) => ({
  label: name as string,
  name: Buffer.from(name as string),
  shape: shape as number,
  fdArg: fdArg as number,
}));

// A path as strace -y prints it: C escapes (\n, \74 for <), no quotes.
export function decodeTarget(raw: Buffer): string {
  const reader = new ValueReader();
  const quoted = Buffer.concat([Buffer.from('"'), raw, Buffer.from('"')]);
  const out = Buffer.allocUnsafe(raw.length);
  reader.reset(quoted, 0, quoted.length, out, 0);
  reader.readString();
  return out.toString('utf8', 0, reader.out);
}

/** The call named by src[s, e), or null. */
export function findCall(src: Buffer, s: number, e: number): CallKind | null {
  for (const kind of CALLS) if (sameBytes(src, s, e, kind.name)) return kind;
  return null;
}

/** Reads a decimal integer (NaN when there is none) at the reader's position. */
export function readInt(r: ValueReader): number {
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
export function returnValue(src: Buffer, from: number, end: number): number {
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

/** True when src[s, end) starts with word. */
export function startsWith(src: Buffer, s: number, end: number, word: Buffer): boolean {
  return end - s >= word.length && sameBytes(src, s, s + word.length, word);
}

/** True when src[from, end) ends with word. */
export function endsWith(src: Buffer, from: number, end: number, word: Buffer): boolean {
  return end - from >= word.length && sameBytes(src, end - word.length, end, word);
}
