// Opening what a process's fd N points to, for follow-file: only a regular file, never a pipe
// (we would become one of its readers), a socket or a terminal; each refusal says why.
import { closeSync, constants, fstatSync, openSync, readlinkSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { FdscopeError } from '../errors';
import { processAlive } from './proc-identity';

/** A regular file opened through /proc/PID/fd/N, with what it is. */
export interface OpenedFile {
  osFd: number;
  stats: Stats;
}

/** An error of follow-file for fd N of a process. */
export function unableToFollow(
  pid: number,
  fd: number,
  reason: string,
  code: 'not-capturable' | 'method-unavailable',
  cause?: unknown,
): FdscopeError {
  return new FdscopeError(code, `unable to follow fd ${fd} of pid ${pid}`, { reason, cause });
}

/** The link text of fd N; throws 'no-such-process' or 'not-capturable'. */
export function readFdLink(pid: number, fd: number): string {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch (error) {
    if (!processAlive(pid, 0)) {
      throw new FdscopeError('no-such-process', `unable to capture pid ${pid}`, {
        reason: 'no such process',
        cause: error,
      });
    }
    throw unableToFollow(pid, fd, `fd ${fd} is closed or not readable`, 'not-capturable', error);
  }
}

/** Checks, without opening it, that fd N (whose link reads `link`) is a regular file. */
export function checkRegular(pid: number, fd: number, link: string): void {
  const path = `/proc/${pid}/fd/${fd}`;
  let st: Stats;
  try {
    // stat() follows the link without opening: opening a pipe would make us one of its
    // readers, and a socket or terminal has no business being opened at all.
    st = statSync(path);
  } catch (error) {
    throw unableToFollow(pid, fd, `cannot stat ${path}`, 'not-capturable', error);
  }
  if (!st.isFile()) {
    const reason = `follow-file needs a regular file, and fd ${fd} is ${link}`;
    throw unableToFollow(pid, fd, reason, 'not-capturable');
  }
}

/** Opens the regular file fd N points to; throws when it cannot or it is no regular file. */
export function openRegular(pid: number, fd: number, link: string): OpenedFile {
  const path = `/proc/${pid}/fd/${fd}`;
  let osFd: number;
  try {
    // O_NONBLOCK: should fd N turn into a FIFO between the stat and the open, never hang.
    osFd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (error) {
    throw unableToFollow(pid, fd, `cannot open ${path} (${link})`, 'method-unavailable', error);
  }
  const stats = fstatSync(osFd);
  if (!stats.isFile()) {
    closeSync(osFd);
    const reason = `follow-file needs a regular file, and fd ${fd} is ${link}`;
    throw unableToFollow(pid, fd, reason, 'not-capturable');
  }
  return { osFd, stats };
}
